using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.SchedulingGates;

/// <summary>Keeps a pod out of the active queue while its <c>spec.schedulingGates</c> is not empty.</summary>
internal sealed class SchedulingGates : IPreEnqueuePlugin, IEnqueueExtensions
{
    public const string PluginName = "SchedulingGates";

    public string Name => PluginName;

    public Status? PreEnqueue(V1Pod pod)
    {
        var gates = pod.Spec?.SchedulingGates;
        if (gates is null || gates.Count == 0)
        {
            return null;
        }

        return new Status(Code.UnschedulableAndUnresolvable, $"waiting for scheduling gates: [{string.Join(' ', gates.Select(g => g.Name))}]");
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.UnschedulablePod, ActionType.UpdatePodSchedulingGatesEliminated, "PodSchedulingGatesEliminated")];
}
