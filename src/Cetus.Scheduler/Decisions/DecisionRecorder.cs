using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Decisions;

/// <summary>Turns what a scheduling cycle found into a <see cref="SchedulingDecision"/>.</summary>
internal static class DecisionRecorder
{
    /// <summary>A decision for a pod about to be scheduled (its outcome filled in after).</summary>
    public static SchedulingDecision Start(V1Pod pod, string schedulerName, DateTimeOffset time) => new()
    {
        Namespace = pod.Metadata.NamespaceProperty ?? string.Empty,
        Name = pod.Metadata.Name,
        Uid = pod.Metadata.Uid ?? string.Empty,
        SchedulerName = schedulerName,
        Time = time,
    };

    /// <summary>The scores of an attempt: each plugin's part for each scored node (see <see cref="ScoreTable"/>).</summary>
    public static ScoreTable Scores(IReadOnlyList<NodeInfo> scored, List<(string Plugin, int Weight, byte[] Scores)> perPlugin)
    {
        var nodes = new string[scored.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = scored[i].Name;
        }

        return new ScoreTable(nodes, [.. perPlugin.Select(p => p.Plugin)], [.. perPlugin.Select(p => p.Weight)], [.. perPlugin.Select(p => p.Scores)]);
    }

    /// <summary>Records why no node fits: each rejected node, the nodes a PreFilter excluded, and preemption's outcome.</summary>
    public static void Unschedulable(SchedulingDecision decision, FitError fitError)
    {
        decision.Result = "Unschedulable";
        decision.Message = fitError.Message;
        Rejections(decision, fitError);
        decision.NominatedNode = string.IsNullOrEmpty(fitError.NominatedNode) ? null : fitError.NominatedNode;
        decision.Preemption = fitError.PostFilterMessage.Length > 0 ? fitError.PostFilterMessage : null;
    }

    /// <summary>Records the nodes the filters rejected (also when another node fits) and those a PreFilter excluded.</summary>
    public static void Rejections(SchedulingDecision decision, FitError fitError)
    {
        decision.Filtered = [.. fitError.NodeToStatus
            .Select(kv => new FilteredNode { Node = kv.Key, Plugin = kv.Value.Plugin, Code = kv.Value.Code.ToString(), Reasons = kv.Value.Reasons })
            .OrderBy(f => f.Node, StringComparer.Ordinal)];
        decision.ExcludedByPreFilter = fitError.NodeToStatus.Count < fitError.NumAllNodes && fitError.AbsentNodesStatus is { } absent
            ? new ExcludedNodes { Count = fitError.NumAllNodes - fitError.NodeToStatus.Count, Plugin = absent.Plugin, Reasons = absent.Reasons }
            : null;
    }
}
