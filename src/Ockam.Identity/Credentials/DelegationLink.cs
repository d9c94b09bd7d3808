using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>
/// One step up a delegation chain: <c>{0: version, 1: delegate_history, 2: credential, 3: attestation}</c>.
/// The credential gives the delegate (whose history is included, since verifiers may not know it) the
/// <c>ockam.delegate</c> attribute; the attestation is its issuer's signing key.
/// </summary>
public sealed record DelegationLink(ChangeHistory DelegateHistory, Credential Credential, PurposeKeyAttestation Attestation)
{
    public const uint Version = 1;

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        DelegateHistory.Write(w);
        w.WriteUInt32(2);
        Credential.Write(w);
        w.WriteUInt32(3);
        Attestation.Write(w);
        w.WriteEndMap();
    }

    internal static DelegationLink Read(CborDecoder d)
    {
        if (d.ReadMapStart(4) != 4)
        {
            throw d.Error("a delegation link has 4 fields");
        }

        d.ReadVersion(Version);
        d.ExpectKey(1);
        var history = ChangeHistory.Read(d);
        d.ExpectKey(2);
        var credential = Credential.Read(d);
        d.ExpectKey(3);
        var attestation = PurposeKeyAttestation.Read(d);
        d.ReadMapEnd();
        return new DelegationLink(history, credential, attestation);
    }
}
