using Ockam.Identity.Credentials;
using Ockam.Identity.Policies;

namespace Ockam.Identity.Tests.Policies;

public sealed class PolicyTests : IClassFixture<PolicyTests.Subject>
{
    private readonly Subject subject;

    public PolicyTests(Subject subject) => this.subject = subject;

    /// <summary>Policies evaluated against a sensor on floor 3 publishing to heart-rate.</summary>
    public static TheoryData<string, bool> Evaluations => new()
    {
        { """(= subject.ockam.role "sensor")""", true },
        { """(= subject.ockam.role "admin")""", false },
        { """(!= subject.ockam.role "admin")""", true },
        { """(and (= subject.ockam.role "sensor") (= resource.topic "heart-rate"))""", true },
        { """(and (= subject.ockam.role "sensor") (= resource.topic "blood-pressure"))""", false },
        { """(or (= subject.ockam.role "admin") (= action.verb "publish"))""", true },
        { """(or (= subject.ockam.role "admin") (= action.verb "subscribe"))""", false },
        { """(not (= subject.ockam.role "admin"))""", true },
        { "(= subject.floor 3)", true },
        { "(< subject.floor 4)", true },
        { "(<= subject.floor 3)", true },
        { "(> subject.floor 3)", false },
        { "(>= subject.floor -1)", true },
        { "(> subject.count 9)", true },
        { """(in subject.ockam.role ["sensor" "phone"])""", true },
        { """(in subject.ockam.role ["admin" "enroller"])""", false },
        { "(in subject.floor [1 2 3])", true },
        { "(exists? subject.ockam.role)", true },
        { "(exists? subject.missing)", false },
        { "(not (exists? subject.missing))", true },
        { "true", true },
        { "false", false },
        { """(= subject.identifier "IDENTIFIER")""", true },
        // Unknown is deny: a missing attribute never flips to allow through 'not' or '!='.
        { """(= subject.missing "x")""", false },
        { """(not (= subject.missing "x"))""", false },
        { """(!= subject.missing "x")""", false },
        { "(< subject.missing 5)", false },
        { """(< subject.ockam.role 5)""", false },
        { """(not (< subject.ockam.role 5))""", false },
        // ...but where the answer does not depend on the unknown, Kleene logic gives it.
        { """(or (= subject.missing "x") (= subject.ockam.role "sensor"))""", true },
        { """(not (and (= subject.missing "x") (= subject.ockam.role "admin")))""", true },
        // Numbers compare in canonical decimal only; "03" is not 3.
        { "(= subject.padded 3)", false },
        { "(< subject.padded 5)", false },
        // Two credentials that disagree make an attribute unknown.
        { """(= subject.zone "a")""", false },
        { """(= subject.zone "b")""", false },
        { """(= resource.topic "heart\"rate")""", false },
    };

    /// <summary>Invalid policies, with the 0-based offset the error must point at.</summary>
    public static TheoryData<string, int> ParseErrors => new()
    {
        { "", 0 },
        { "   ", 3 },
        { "(", 1 },
        { "(and", 0 },
        { "(foo subject.x)", 1 },
        { "(= subject.x)", 0 },
        { "(= subject.x \"a\" \"b\")", 0 },
        { "(not)", 0 },
        { "(and subject.x)", 5 },
        { "(= (= subject.a 1) 1)", 3 },
        { "(= other.x 1)", 3 },
        { "(= subject. 1)", 3 },
        { "(= subject.x \"unterminated)", 13 },
        { "(= subject.x \"bad \\n escape\")", 18 },
        { "(= subject.x 99999999999999999999)", 13 },
        { "(< subject.x \"a\")", 13 },
        { "(in subject.x \"a\")", 14 },
        { "(in subject.x [subject.y])", 15 },
        { "(exists? \"a\")", 9 },
        { "(= subject.x [1])", 13 },
        { "(= subject.x 1))", 15 },
        { "(= subject.x 1) (= subject.y 2)", 16 },
        { ")", 0 },
        { "\"just a string\"", 0 },
        { "subject.x", 0 },
        { "(= subject.x 1 #)", 15 },
        { "(and\n  (= subject.x 1)\n  (bogus))", 26 },
    };

    [Theory]
    [MemberData(nameof(Evaluations))]
    public void Evaluates(string source, bool allowed)
    {
        var policy = Policy.Parse(source.Replace("IDENTIFIER", subject.Identifier, StringComparison.Ordinal));
        Assert.Equal(allowed, policy.Allows(subject.Input));
    }

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public void Refuses_with_position(string source, int position)
    {
        var error = Assert.Throws<PolicyParseException>(() => Policy.Parse(source));
        Assert.Equal(position, error.Position);
        Assert.Contains($"line {error.Line}, column {error.Column}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_line_and_column()
    {
        var error = Assert.Throws<PolicyParseException>(() => Policy.Parse("(and\n  (= subject.x 1)\n  (bogus))"));
        Assert.Equal((3, 4), (error.Line, error.Column));
    }

    [Fact]
    public void Size_and_depth_are_bounded()
    {
        var deep = string.Concat(Enumerable.Repeat("(not ", 17)) + "true" + new string(')', 17);
        Assert.Contains("nested deeper", Assert.Throws<PolicyParseException>(() => Policy.Parse(deep)).Message, StringComparison.Ordinal);
        var ok = string.Concat(Enumerable.Repeat("(not ", 16)) + "true" + new string(')', 16);
        Assert.True(Policy.Parse(ok).Allows(subject.Input));

        var huge = "(or " + string.Concat(Enumerable.Repeat("(= subject.x 1) ", 300)) + ")";
        Assert.Contains("longer than", Assert.Throws<PolicyParseException>(() => Policy.Parse(huge)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deny_all_denies()
    {
        Assert.False(Policy.DenyAll.Allows(subject.Input));
    }

    public sealed class Subject : IDisposable
    {
        private readonly Actors actors = new();

        public Subject()
        {
            var authority = actors.IdentityAsync().GetAwaiter().GetResult();
            var device = actors.IdentityAsync().GetAwaiter().GetResult();
            var issuer = actors.IssuerAsync(authority).GetAwaiter().GetResult();
            var trust = actors.TrustingAuthority(authority);
            VerifiedCredential Issue(params (string, string)[] attributes) =>
                trust.Verify(issuer.Issue(device.Identifier, Actors.Attributes(attributes), TimeSpan.FromHours(1), 1), device.Identifier, actors.Now);

            var credentials = new[]
            {
                Issue(("ockam.role", "sensor"), ("floor", "3"), ("count", "10"), ("padded", "03"), ("zone", "a")),
                Issue(("zone", "b")),
            };
            Identifier = device.Identifier.Value;
            Input = PolicyInput.ForSubject(device.Identifier, credentials)
                .WithResource("topic", "heart-rate")
                .WithAction("verb", "publish");
        }

        public string Identifier { get; }

        public PolicyInput Input { get; }

        public void Dispose() => actors.Dispose();
    }
}
