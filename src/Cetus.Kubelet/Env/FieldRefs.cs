using System.Globalization;
using System.Text;
using Cetus.Kubelet.Pods;
using k8s.Models;

namespace Cetus.Kubelet.Env;

/// <summary>
/// The downward API's values (Kubernetes' fieldpath.ExtractFieldPathAsString, podFieldSelectorRuntimeValue and
/// resource.ExtractContainerResourceValue): pod fields by path and container resources scaled by a divisor, with
/// unset limits taken from the node's allocatable resources as the kubelet does.
/// </summary>
public static class FieldRefs
{
    /// <summary>The value of field <paramref name="path"/> of the pod, or a <see cref="ContainerConfigException"/> for an unsupported path.</summary>
    public static string Field(PodFacts facts, string path)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(path);
        var pod = facts.Pod;
        var meta = pod.Metadata;
        if (Subscript(path) is ({ } field, { } key))
        {
            return field switch
            {
                "metadata.annotations" => meta.Annotations?.TryGetValue(key, out var a) == true ? a : string.Empty,
                "metadata.labels" => meta.Labels?.TryGetValue(key, out var l) == true ? l : string.Empty,
                _ => throw new ContainerConfigException($"fieldPath {path} does not support subscript"),
            };
        }

        return path switch
        {
            "metadata.name" => meta.Name ?? string.Empty,
            "metadata.namespace" => meta.NamespaceProperty ?? string.Empty,
            "metadata.uid" => meta.Uid ?? string.Empty,
            "metadata.labels" => FormatMap(meta.Labels),
            "metadata.annotations" => FormatMap(meta.Annotations),
            "spec.nodeName" => pod.Spec.NodeName ?? facts.Node.Name,
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? string.Empty,
            "status.hostIP" or "status.hostIPs" => facts.Node.InternalIP,
            "status.podIP" or "status.podIPs" => facts.PodIP ?? string.Empty,
            _ => throw new ContainerConfigException($"unsupported fieldPath: {path}"),
        };
    }

    /// <summary>
    /// Container <paramref name="containerName"/>'s resource <paramref name="resource"/> (limits.cpu, requests.memory,
    /// …) divided by <paramref name="divisor"/> and rounded up, as a decimal string.
    /// </summary>
    public static string Resource(PodFacts facts, string containerName, string resource, ResourceQuantity? divisor)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var container = (facts.Pod.Spec.Containers ?? []).Concat(facts.Pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == containerName)
            ?? throw new ContainerConfigException($"container {containerName} not found");
        var (kind, name) = resource.Split('.', 2) is [var k, var n] ? (k, n) : (string.Empty, resource);
        if (kind is not ("limits" or "requests") || name is not ("cpu" or "memory" or "ephemeral-storage"))
        {
            throw new ContainerConfigException($"unsupported container resource : {resource}");
        }

        var values = kind == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
        decimal value;
        if (values?.TryGetValue(name, out var quantity) == true)
        {
            value = quantity.ToDecimal();
        }
        else if (kind == "limits")
        {
            // An unset limit is the node's allocatable amount (the kubelet's defaultPodLimitsForDownwardAPI).
            value = (facts.Node.Allocatable ?? facts.Node.Capacity).TryGetValue(name, out var allocatable) ? allocatable.ToDecimal() : 0;
        }
        else if (container.Resources?.Limits?.TryGetValue(name, out var limit) == true)
        {
            // A request defaults to the limit.
            value = limit.ToDecimal();
        }
        else
        {
            value = 0;
        }

        var by = divisor?.ToDecimal() is { } d and > 0 ? d : 1m;
        if (name == "cpu")
        {
            // Compared in millicores, as upstream.
            var milli = Math.Ceiling(value * 1000);
            var divisorMilli = Math.Max(1, Math.Ceiling(by * 1000));
            return Math.Ceiling(milli / divisorMilli).ToString("0", CultureInfo.InvariantCulture);
        }

        return Math.Ceiling(Math.Ceiling(value) / Math.Max(1, Math.Ceiling(by))).ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>A map as the downward API writes it: sorted <c>key="value"</c> lines (values quoted as Go's %q).</summary>
    public static string FormatMap(IDictionary<string, string>? map)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(Quote(value)).Append('\n');
        }

        return text.ToString();
    }

    // metadata.labels['key'] → ("metadata.labels", "key").
    private static (string? Field, string? Key) Subscript(string path)
    {
        var open = path.IndexOf("['", StringComparison.Ordinal);
        return open > 0 && path.EndsWith("']", StringComparison.Ordinal) ? (path[..open], path[(open + 2)..^2]) : (null, null);
    }

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
