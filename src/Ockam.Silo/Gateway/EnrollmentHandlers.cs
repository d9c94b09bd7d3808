using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>The authority's operations: enrolment, credentials, tokens, identities, revocation and readmission.</summary>
internal static class EnrollmentHandlers
{
    public static async Task<GatewayAnswer<CredentialResponse>> EnrollAsync(GatewayCall call, EnrollRequest request, CancellationToken cancellationToken)
    {
        // The service learns the identity it enrols (public data), so it can later refuse a rollback: with the member's
        // keys, in one write once the token made the caller a member (a refused stranger writes nothing); else first.
        var identity = call.Grains.GetGrain<IIdentityGrain>(call.Caller);
        if (request.Keys is null)
        {
            await identity.PublishAsync(call.Peer.Identity.History.Encode()).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var result = await call.Authority.EnrollAsync(request.Token, call.Caller).WaitAsync(cancellationToken).ConfigureAwait(false);
        SiloTelemetry.Enrolments.Add(1, new KeyValuePair<string, object?>("ockam.outcome", result.Outcome.ToString()));

        // Stored only in the caller's own identity grain, which checks them against the history the channel proved: no
        // one publishes keys for another.
        if (result.Outcome == AuthorityOutcome.Issued && request.Keys is { } keys)
        {
            var published = await identity.PublishMemberKeysAsync(
                call.Peer.Identity.History.Encode(), keys.Agreement.ToArray(), keys.Signing.ToArray(), [.. keys.KeyPackages.Select(p => p.ToArray())]).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (published.Refusal is { } refusal)
            {
                // The token stays redeemed for this identity: it may ask again (a retry uses nothing up) with keys that check.
                return new GatewayRefusal(ApiStatus.Rejected, refusal);
            }
        }

        return Credential(result);
    }

    public static async Task<GatewayAnswer<CredentialResponse>> GetCredentialAsync(GatewayCall call, GetCredentialRequest request, CancellationToken cancellationToken) =>
        Credential(await call.Authority.GetCredentialAsync(call.Caller).WaitAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<GatewayAnswer<EmptyResponse>> PublishIdentityAsync(GatewayCall call, PublishIdentityRequest request, CancellationToken cancellationToken)
    {
        var history = request.History;
        var publication = await call.Grains.GetGrain<IIdentityGrain>(history.Identifier.ToString()).PublishAsync(history.Encode()).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (publication.Outcome is not (PublicationOutcome.Accepted or PublicationOutcome.Unchanged))
        {
            return new GatewayRefusal(ApiStatus.Rejected, $"{publication.Outcome}: {publication.Reason}");
        }

        // A revoked identity loses its membership and every credential it holds.
        if (history.Latest.Data.Revoked)
        {
            call.Announce(await call.Authority.RevokeMemberAsync(history.Identifier.ToString()).WaitAsync(cancellationToken).ConfigureAwait(false), history.Identifier.ToString());
        }

        return EmptyResponse.Instance;
    }

    public static async Task<GatewayAnswer<CreateTokenResponse>> CreateTokenAsync(GatewayCall call, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        var attributes = request.Attributes.ToDictionary(a => a.Key, a => System.Text.Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal);
        if (request.Attributes.TryGetValue(Delegation.AttributeName, out var names))
        {
            // Text at the API ("ockam.role,floor"), the identity core's canonical encoding in the credential.
            try
            {
                attributes[Delegation.AttributeName] = Delegation.Encode(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            catch (ArgumentException e)
            {
                return new GatewayRefusal(ApiStatus.BadRequest, e.Message);
            }
        }

        var validFor = request.ValidForSeconds ?? 3600;
        var uses = request.Uses ?? 1;
        if (validFor > int.MaxValue || uses > int.MaxValue)
        {
            return new GatewayRefusal(ApiStatus.BadRequest, $"'valid-for-seconds' and 'uses' are at most {int.MaxValue}");
        }

        // The authority decides on the creator's member record, not on the credential this channel presented.
        var created = await call.Authority.CreateTokenAsync(call.Caller, attributes, TimeSpan.FromSeconds(validFor), (int)uses).WaitAsync(cancellationToken).ConfigureAwait(false);
        return created.Outcome switch
        {
            AuthorityOutcome.Issued => new CreateTokenResponse(created.Token!),
            AuthorityOutcome.Denied => new GatewayRefusal(ApiStatus.Denied, created.Reason ?? "may not grant these attributes"),
            _ => new GatewayRefusal(ApiStatus.BadRequest, created.Reason ?? "invalid token request"),
        };
    }

    public static async Task<GatewayAnswer<RevocationListResponse>> RevokeAsync(GatewayCall call, RevokeRequest request, CancellationToken cancellationToken)
    {
        byte[] list;
        string[] subjects;
        if (request.Serial is { } serial)
        {
            list = await call.Authority.RevokeAsync(serial).WaitAsync(cancellationToken).ConfigureAwait(false);
            subjects = [];
        }
        else if (request.Subject is { } subject && Identifier.TryParse(subject, out _))
        {
            list = await call.Authority.RevokeMemberAsync(subject).WaitAsync(cancellationToken).ConfigureAwait(false);
            subjects = [subject];
        }
        else
        {
            return GatewayRefusal.Missing("serial or subject");
        }

        call.Announce(list, subjects);
        return new RevocationListResponse(list);
    }

    public static async Task<GatewayAnswer<EmptyResponse>> ReadmitAsync(GatewayCall call, ReadmitRequest request, CancellationToken cancellationToken)
    {
        if (!Identifier.TryParse(request.Subject, out _))
        {
            return GatewayRefusal.Missing("subject");
        }

        // The policy saw the channel's credential; the authority checks the caller is an admin on its records now.
        return await call.Authority.ReadmitAsync(call.Caller, request.Subject).WaitAsync(cancellationToken).ConfigureAwait(false) switch
        {
            ReadmitOutcome.Readmitted => EmptyResponse.Instance,
            ReadmitOutcome.NothingToLift => new GatewayRefusal(ApiStatus.BadRequest, $"{request.Subject} is neither revoked nor suspended"),
            _ => new GatewayRefusal(ApiStatus.Denied, $"{call.Peer.Identifier} is not an admin in good standing"),
        };
    }

    public static async Task<GatewayAnswer<RevocationListResponse>> GetRevocationListAsync(GatewayCall call, GetRevocationListRequest request, CancellationToken cancellationToken) =>
        new RevocationListResponse(await call.Authority.GetRevocationListAsync().WaitAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<GatewayAnswer<GetAuthorityResponse>> GetAuthorityAsync(GatewayCall call, GetAuthorityRequest request, CancellationToken cancellationToken) =>
        new GetAuthorityResponse(await call.Authority.GetIdentityAsync().WaitAsync(cancellationToken).ConfigureAwait(false));

    private static GatewayAnswer<CredentialResponse> Credential(AuthorityResult result) => result.Outcome switch
    {
        AuthorityOutcome.Issued => new CredentialResponse(result.Credential!),
        AuthorityOutcome.TokenUnknown => new GatewayRefusal(ApiStatus.TokenUnknown, result.Reason ?? "unknown token"),
        AuthorityOutcome.TokenExpired => new GatewayRefusal(ApiStatus.TokenExpired, result.Reason ?? "expired token"),
        AuthorityOutcome.TokenUsed => new GatewayRefusal(ApiStatus.TokenUsed, result.Reason ?? "used token"),
        AuthorityOutcome.NotAMember => new GatewayRefusal(ApiStatus.NotAMember, result.Reason ?? "not a member"),
        AuthorityOutcome.Revoked => new GatewayRefusal(ApiStatus.Revoked, result.Reason ?? "revoked; an admin may readmit it"),
        AuthorityOutcome.Suspended => new GatewayRefusal(ApiStatus.Suspended, result.Reason ?? "suspended; an admin may readmit it"),
        _ => new GatewayRefusal(ApiStatus.BadRequest, result.Reason ?? "invalid request"),
    };
}
