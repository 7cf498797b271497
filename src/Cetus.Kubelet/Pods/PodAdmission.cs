using System.Text.Json.Nodes;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Kubelet.Pods;

/// <summary>What a node-level admission check said of a pod (Kubernetes' lifecycle.PodAdmitResult).</summary>
/// <param name="Admit">True when the pod may run here.</param>
/// <param name="Reason">A one-word reason when it may not (the pod's status.reason).</param>
/// <param name="Message">Why not.</param>
public sealed record PodAdmitResult(bool Admit, string Reason = "", string Message = "")
{
    /// <summary>Admitted.</summary>
    public static PodAdmitResult Admitted { get; } = new(true);
}

/// <summary>
/// One of the kubelet's admission checks of pods bound to its node (Kubernetes' lifecycle.PodAdmitHandler). A pod
/// that fails one is rejected: it never runs, and its status becomes phase Failed with the check's reason and the
/// message "Pod was rejected: ..." (the kubelet's rejectPod).
/// </summary>
public interface IPodAdmitHandler
{
    /// <summary>Whether <paramref name="pod"/> may run on this node.</summary>
    PodAdmitResult Admit(V1Pod pod);
}

/// <summary>Runs the admission checks of a pod and rejects it when one fails.</summary>
internal static class PodAdmissions
{
    /// <summary>
    /// True when a check rejects <paramref name="pod"/>: its status is then patched to phase Failed with the check's
    /// reason and "Pod was rejected: MESSAGE" (and its QoS class), as the kubelet's rejectPod writes it.
    /// </summary>
    public static async Task<bool> RejectAsync(V1Pod pod, IReadOnlyList<IPodAdmitHandler>? handlers, IKubeletClient client, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var handler in handlers ?? [])
        {
            var result = handler.Admit(pod);
            if (result.Admit)
            {
                continue;
            }

            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["uid"] = pod.Metadata.Uid },
                ["status"] = new JsonObject
                {
                    ["phase"] = "Failed",
                    ["reason"] = result.Reason,
                    ["message"] = "Pod was rejected: " + result.Message,
                    ["qosClass"] = QosClasses.Of(pod),
                },
            };
            logger.LogWarning("pod {Namespace}/{Name} rejected: {Reason}: {Message}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, result.Reason, result.Message);
            try
            {
                await client.PatchPodStatusAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, patch.ToJsonString(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
                // Deleted meanwhile.
            }

            return true;
        }

        return false;
    }
}
