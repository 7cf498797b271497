using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>The namespaces every cluster has from the start.</summary>
internal static class SystemNamespaces
{
    public static readonly string[] Names = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureAsync(ObjectStore objects, ResourceRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var definition = registry.Find(string.Empty, "v1", "namespaces")!;
        foreach (var name in Names)
        {
            if (await objects.GetAsync(definition, string.Empty, name, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } };
            Handlers.ObjectMetadata.PrepareForCreate(definition, ns, string.Empty, time.GetUtcNow());
            definition.Strategy.PrepareForCreate(ns);
            definition.Strategy.Default(ns);
            try
            {
                await objects.CreateAsync(definition, ns, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ApiException e) when (e.Code == 409)
            {
                // Another API server on the same datastore made it first.
            }
        }
    }
}
