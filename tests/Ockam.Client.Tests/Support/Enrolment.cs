using System.Text;
using Ockam.Client.Edge;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests.Support;

/// <summary>The one way these tests make a device: an edge node in its home, enrolled with an operator token.</summary>
internal static class Enrolment
{
    /// <summary>
    /// An edge node at <paramref name="home"/> talking to <paramref name="silo"/>, enrolled with a one-use token granting
    /// <paramref name="attributes"/>; disposed again if enrolment fails.
    /// </summary>
    public static Task<EdgeNode> EnrolledNodeAsync(this RunningSilo silo, string home, params IEnumerable<(string Name, string Value)> attributes) =>
        silo.EnrolledNodeAsync(home, options => options, attributes);

    /// <summary>As above, with the node's options (timeouts, say) adjusted by <paramref name="configure"/>.</summary>
    public static async Task<EdgeNode> EnrolledNodeAsync(this RunningSilo silo, string home, Func<EdgeNodeOptions, EdgeNodeOptions> configure, IEnumerable<(string Name, string Value)> attributes)
    {
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal), TimeSpan.FromHours(1), uses: 1);
        var node = await EdgeNode.OpenAsync(configure(new EdgeNodeOptions { Home = home, Silo = silo.EdgeEndpoint.ToString(), SiloIdentifier = silo.Identities.Silo.Identifier }));
        try
        {
            await node.EnrollAsync(token);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}
