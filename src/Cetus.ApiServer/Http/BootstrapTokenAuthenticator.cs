using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Security;
using Cetus.ApiServer.Watch;
using k8s.Models;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Authenticates bootstrap (join) tokens as kube-apiserver's bootstrap token authenticator
/// (plugin/pkg/auth/authenticator/token/bootstrap): a token of the form <c>[a-z0-9]{6}.[a-z0-9]{16}</c> is checked
/// against the Secret <c>kube-system/bootstrap-token-&lt;id&gt;</c> (read from the watch cache, else the datastore).
/// Tokens of another form are not its business (null, no error), so other authenticators may take them.
/// </summary>
internal sealed class BootstrapTokenAuthenticator(ResourceRegistry registry, WatchCache cache, ObjectStore objects, TimeProvider time)
{
    private readonly ResourceDefinition _secrets = registry.Find(string.Empty, "v1", "secrets")!;

    /// <summary>The user of a valid bootstrap token; null when the token is not one, or not a valid one (with the reason).</summary>
    public async Task<(UserInfo? User, string? Error)> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (BootstrapTokens.Parse(token) is not var (id, secret))
        {
            return (null, null);
        }

        var name = BootstrapTokens.SecretPrefix + id;
        var found = cache.Get(_secrets, StorageKeys.Key(_secrets, BootstrapTokens.Namespace, name))
            ?? await objects.GetAsync(_secrets, BootstrapTokens.Namespace, name, cancellationToken).ConfigureAwait(false);
        return BootstrapTokens.Authenticate(id, secret, found?.Item as V1Secret, time.GetUtcNow());
    }
}
