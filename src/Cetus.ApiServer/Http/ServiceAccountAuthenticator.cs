using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Security;
using Cetus.ApiServer.Watch;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Authenticates service-account tokens as kube-apiserver's service-account authenticator does: a valid signature and
/// lifetime, one of the expected audiences, and the service account and any bound pod, secret or node still there
/// with the uid the token names (deleted more than a minute ago counts as gone). Objects are read from the watch cache,
/// and from the datastore when the cache does not have them yet.
/// </summary>
internal sealed class ServiceAccountAuthenticator(ServiceAccountTokens signer, ResourceRegistry registry, WatchCache cache, ObjectStore objects)
{
    private readonly ResourceDefinition _serviceAccounts = registry.Find(string.Empty, "v1", "serviceaccounts")!;
    private readonly ResourceDefinition _pods = registry.Find(string.Empty, "v1", "pods")!;
    private readonly ResourceDefinition _secrets = registry.Find(string.Empty, "v1", "secrets")!;
    private readonly ResourceDefinition _nodes = registry.Find(string.Empty, "v1", "nodes")!;

    /// <summary>The extra key naming the pod a token is bound to.</summary>
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";

    /// <summary>The extra key carrying the bound pod's uid.</summary>
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";

    /// <summary>The extra key naming the node a token is bound to.</summary>
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";

    /// <summary>The extra key carrying the bound node's uid.</summary>
    public const string NodeUidExtra = "authentication.kubernetes.io/node-uid";

    /// <summary>The extra key carrying the token's id (<c>JTI=…</c>).</summary>
    public const string CredentialIdExtra = "authentication.kubernetes.io/credential-id";

    /// <summary>
    /// The user a token stands for, and the audiences it was accepted for; null with a reason when it is not a valid
    /// service-account token for any of <paramref name="audiences"/> (the API server's own when null).
    /// </summary>
    public async Task<(UserInfo? User, IReadOnlyList<string> Audiences, string? Error)> AuthenticateAsync(string token, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        var (claims, error) = await signer.ReadAsync(token).ConfigureAwait(false);
        if (claims is null)
        {
            return (null, [], error);
        }

        var wanted = audiences is { Count: > 0 } ? audiences : signer.ApiAudiences;
        var accepted = wanted.Where(claims.Audiences.Contains).ToList();
        if (accepted.Count == 0)
        {
            return (null, [], "token audiences are invalid");
        }

        var deletedBefore = signer.Time.GetUtcNow() - ServiceAccountTokens.Leeway;
        var ns = claims.Namespace;
        var account = await ReadAsync(_serviceAccounts, ns, claims.ServiceAccount.Name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return (null, [], $"serviceaccounts \"{claims.ServiceAccount.Name}\" not found");
        }

        if (Deleted(account, deletedBefore))
        {
            return (null, [], $"service account {ns}/{claims.ServiceAccount.Name} has been deleted");
        }

        if (account.Metadata.Uid != claims.ServiceAccount.Uid)
        {
            return (null, [], $"service account UID ({account.Metadata.Uid}) does not match claim ({claims.ServiceAccount.Uid})");
        }

        foreach (var (definition, reference, bound) in new[] { (_secrets, claims.Secret, "secret"), (_pods, claims.Pod, "pod"), (_nodes, claims.Node, "node") })
        {
            if (reference is null)
            {
                continue;
            }

            var item = await ReadAsync(definition, definition == _nodes ? string.Empty : ns, reference.Name, cancellationToken).ConfigureAwait(false);
            if (item is null || Deleted(item, deletedBefore))
            {
                return (null, [], "service account token has been invalidated");
            }

            if (item.Metadata.Uid != reference.Uid)
            {
                return (null, [], $"{bound} UID ({item.Metadata.Uid}) does not match service account {bound} ref claim ({reference.Uid})");
            }
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (claims.Pod is { } pod)
        {
            extra[PodNameExtra] = [pod.Name];
            extra[PodUidExtra] = [pod.Uid];
        }

        if (claims.Node is { } node)
        {
            extra[NodeNameExtra] = [node.Name];
            extra[NodeUidExtra] = [node.Uid];
        }

        if (claims.Id.Length > 0)
        {
            extra[CredentialIdExtra] = ["JTI=" + claims.Id];
        }

        var user = new UserInfo(
            ServiceAccountClaims.UserName(ns, claims.ServiceAccount.Name),
            claims.ServiceAccount.Uid,
            ["system:serviceaccounts", $"system:serviceaccounts:{ns}"]) { Extra = extra };
        return (user, accepted, null);
    }

    private static bool Deleted(IKubernetesObject<V1ObjectMeta> item, DateTimeOffset before) =>
        item.Metadata.DeletionTimestamp is { } deleted && deleted < before.UtcDateTime;

    private async Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(ResourceDefinition definition, string ns, string name, CancellationToken cancellationToken)
    {
        var found = cache.Get(definition, StorageKeys.Key(definition, ns, name))
            ?? await objects.GetAsync(definition, ns, name, cancellationToken).ConfigureAwait(false);
        return found?.Item;
    }
}
