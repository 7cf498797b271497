using System.Text.Json.Nodes;
using Cetus.Kubelet.Api;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Status;

/// <summary>
/// Writes pod statuses to the API server, as the kubelet's status manager: a strategic-merge patch of the status
/// subresource carrying only the fields the kubelet owns (phase, its conditions — merged by type, so conditions other
/// writers own stay —, container statuses, IPs, startTime, qosClass), and only when they differ from what the pod
/// already shows. Never a full update: it cannot fight another writer over resourceVersion or their fields.
/// </summary>
public sealed class PodStatusManager(IKubeletClient client, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Writes <paramref name="status"/> when the pod does not show it yet; returns the pod as written (or as it was).</summary>
    public async Task<V1Pod> WriteAsync(V1Pod pod, V1PodStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(status);
        if (!NeedsUpdate(pod.Status, status))
        {
            return pod;
        }

        var patch = Patch(pod.Metadata.Uid, status);
        _logger.LogDebug("pod {Namespace}/{Name} status: {Patch}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, patch);
        return await client.PatchPodStatusAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, patch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the kubelet-owned part of <paramref name="current"/> differs from <paramref name="wanted"/>.</summary>
    public static bool NeedsUpdate(V1PodStatus? current, V1PodStatus wanted) =>
        current is null || !JsonNode.DeepEquals(Owned(current), Owned(wanted));

    /// <summary>
    /// The strategic-merge patch the kubelet sends: the uid (a precondition, as Kubernetes' kubelet sends it) and the
    /// owned fields; conditions merge by type.
    /// </summary>
    public static string Patch(string uid, V1PodStatus status)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["uid"] = uid },
            ["status"] = Owned(status),
        };
        return patch.ToJsonString();
    }

    private static JsonObject Owned(V1PodStatus status)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(status))!.AsObject();
        var owned = new JsonObject();
        foreach (var field in new[] { "phase", "hostIP", "hostIPs", "podIP", "podIPs", "startTime", "qosClass", "initContainerStatuses", "containerStatuses" })
        {
            if (json[field] is { } value)
            {
                owned[field] = value.DeepClone();
            }
        }

        var conditions = new JsonArray();
        foreach (var condition in json["conditions"]?.AsArray() ?? [])
        {
            if (condition?["type"]?.GetValue<string>() is { } type && PodStatusCalculator.OwnedConditions.Contains(type))
            {
                var copy = condition.DeepClone().AsObject();
                // Other writers' lastProbeTime (null) and the like: compare what the kubelet sets.
                copy.Remove("lastProbeTime");
                conditions.Add(copy);
            }
        }

        owned["conditions"] = conditions;
        Normalize(owned);
        return owned;
    }

    // Empty lists and maps are what the client library writes for "unset" and the server may omit: drop them both sides.
    private static void Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var value = obj[key];
                    Normalize(value);
                    if (value is null || value is JsonObject { Count: 0 } || (value is JsonArray { Count: 0 } && key != "conditions"))
                    {
                        obj.Remove(key);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Normalize(item);
                }

                break;
        }
    }
}
