using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>Objects the server itself creates at start-up when they are missing (system namespaces, the RBAC bootstrap policy).</summary>
internal static class BuiltInObjects
{
    /// <summary>Creates <paramref name="item"/> (cluster-scoped) unless it exists; another API server on the same datastore may race us, so 409 is fine.</summary>
    public static async Task CreateIfMissingAsync(ObjectStore objects, ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> item, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await objects.GetAsync(definition, string.Empty, item.Metadata.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        Handlers.ObjectMetadata.PrepareForCreate(definition, item, string.Empty, time.GetUtcNow());
        definition.Strategy.PrepareForCreate(item);
        definition.Strategy.Default(item);
        try
        {
            await objects.CreateAsync(definition, item, cancellationToken).ConfigureAwait(false);
        }
        catch (Errors.ApiException e) when (e.Code == 409)
        {
        }
    }
}
