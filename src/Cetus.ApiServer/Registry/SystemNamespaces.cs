using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>The namespaces (and priority classes) every cluster has from the start.</summary>
internal static class SystemNamespaces
{
    public static readonly string[] Names = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureAsync(ObjectStore objects, ResourceRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var definition = registry.Find(string.Empty, "v1", "namespaces")!;
        foreach (var name in Names)
        {
            var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } };
            await BuiltInObjects.CreateIfMissingAsync(objects, definition, ns, time, cancellationToken).ConfigureAwait(false);
        }

        // Like the namespaces, the built-in priority classes exist from the start (upstream's scheduling REST hook).
        var classes = registry.Find("scheduling.k8s.io", "v1", "priorityclasses")!;
        foreach (var priorityClass in Cetus.Api.Resources.PriorityClasses.SystemPriorityClasses.Create())
        {
            await BuiltInObjects.CreateIfMissingAsync(objects, classes, priorityClass, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
