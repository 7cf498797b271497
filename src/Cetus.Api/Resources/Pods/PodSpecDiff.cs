using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Json;
using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// The changed fields of a pod spec, appended to the "pod updates may not change fields" error the way upstream
/// appends a diff. Upstream prints go-cmp's diff of its internal types; this lists the changed top-level spec fields
/// as JSON, old then new.
/// </summary>
internal static class PodSpecDiff
{
    public static string Describe(V1PodSpec old, V1PodSpec updated)
    {
        var before = JsonSerializer.SerializeToNode(old, KubeJson.Options)?.AsObject() ?? [];
        var after = JsonSerializer.SerializeToNode(updated, KubeJson.Options)?.AsObject() ?? [];
        var text = new StringBuilder("  PodSpec{\n");
        foreach (var name in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var a = before[name]?.ToJsonString() ?? "null";
            var b = after[name]?.ToJsonString() ?? "null";
            if (a == b)
            {
                continue;
            }

            text.Append("- \t").Append(name).Append(": ").Append(a).Append(",\n");
            text.Append("+ \t").Append(name).Append(": ").Append(b).Append(",\n");
        }

        return text.Append("  }\n").ToString();
    }
}
