namespace Ockam.Identity.Mls;

/// <summary>
/// The Authentication Service (RFC 9420 §5.3.1) as a member consults it: is this leaf's credential valid, and does it
/// bind the identity to the leaf's signature key (and encryption key, where credentials name it)? The group asks
/// for every leaf of a tree it joins and for every leaf an Add, Update or commit path puts into its tree.
/// </summary>
internal interface IMlsAuthenticationService
{
    /// <summary>True when <paramref name="leaf"/>'s credential is valid for its signature and encryption keys.</summary>
    bool Accepts(LeafNode leaf);
}
