using k8s.Models;

namespace Cetus.Api.Resources.Printing;

/// <summary>The Containers and Images cells of workload tables (layoutContainerCells): names and images, comma-separated.</summary>
internal static class ContainerCells
{
    public static (string Names, string Images) Layout(IList<V1Container>? containers) =>
        containers is null
            ? (string.Empty, string.Empty)
            : (string.Join(",", containers.Select(c => c.Name)), string.Join(",", containers.Select(c => c.Image)));
}
