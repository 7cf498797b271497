namespace Cetus.Api.Scheme;

/// <summary>
/// The authenticated user a write comes from, as the registry's strategies see it (upstream's
/// <c>genericapirequest.UserFrom(ctx)</c>): kinds that record their creator (CertificateSigningRequests) take it from here.
/// </summary>
/// <param name="Name">The user name.</param>
/// <param name="Uid">The user's uid, empty when unknown.</param>
/// <param name="Groups">The user's groups.</param>
/// <param name="Extra">The user's extra attributes.</param>
public sealed record Requester(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);
