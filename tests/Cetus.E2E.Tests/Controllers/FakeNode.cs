using k8s;
using k8s.Models;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>
/// Stands in for a kubelet (there is none yet): marks pods Running and Ready through the pods/status subresource,
/// either all of them as they appear (<see cref="RunAsync"/>) or one at a time when the test says so.
/// </summary>
internal sealed class FakeNode(IKubernetes client, string ns)
{
    /// <summary>Marks one pod Running and Ready.</summary>
    public async Task MarkReadyAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var patch = $$$"""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}]}}""";
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), pod.Metadata.Name, ns, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted meanwhile by its ReplicaSet.
        }
    }

    /// <summary>The pods with this label selector that are not being deleted.</summary>
    public async Task<List<V1Pod>> PodsAsync(string selector, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);
        return [.. list.Items.Where(p => p.Metadata.DeletionTimestamp is null)];
    }

    /// <summary>Marks every pod of <paramref name="selector"/> ready as it appears, until cancelled.</summary>
    public async Task RunAsync(string selector, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var pod in (await PodsAsync(selector, cancellationToken)).Where(p => !IsReady(p)))
                {
                    await MarkReadyAsync(pod, cancellationToken);
                }

                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
