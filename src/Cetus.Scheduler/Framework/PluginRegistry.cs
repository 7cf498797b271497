using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>What a plugin's factory gets.</summary>
/// <param name="Client">The scheduler's writes to the API server (for binders).</param>
/// <param name="NamespaceLabels">A namespace's labels from the scheduler's cache (null when unknown), for namespaceSelectors.</param>
/// <param name="DefaultSelector">
/// The selector of the Services and ReplicaSets a pod belongs to (null when none),
/// for the default spreading.
/// </param>
/// <param name="PodDisruptionBudgets">The PodDisruptionBudgets in the scheduler's cache, for preemption.</param>
/// <param name="WaitingPods">
/// The pods waiting on Permit, shared by every profile (upstream's framework handle: a plugin allows or rejects
/// pods parked there); null makes one for the profiles being built.
/// </param>
internal sealed record PluginContext(ISchedulerClient Client, Func<string, IDictionary<string, string>?>? NamespaceLabels = null, Func<V1Pod, V1LabelSelector?>? DefaultSelector = null, Func<IReadOnlyList<V1PodDisruptionBudget>>? PodDisruptionBudgets = null, WaitingPods? WaitingPods = null);

/// <summary>
/// The plugins a scheduler can enable, by name (upstream's in-tree registry). Registering a name twice is a bug and
/// throws. To add a plugin: its folder under Plugins/, one line in <see cref="InTree"/> (docs/adding-a-scheduler-plugin.md).
/// </summary>
internal sealed class PluginRegistry
{
    private readonly Dictionary<string, Func<PluginContext, IPlugin>> _factories = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _factories.Keys;

    /// <summary>The registry of every plugin built into Cetus.</summary>
    public static PluginRegistry InTree() => new PluginRegistry()
        .Register(Plugins.PrioritySort.PrioritySort.PluginName, _ => new Plugins.PrioritySort.PrioritySort())
        .Register(Plugins.SchedulingGates.SchedulingGates.PluginName, _ => new Plugins.SchedulingGates.SchedulingGates())
        .Register(Plugins.NodeName.NodeName.PluginName, _ => new Plugins.NodeName.NodeName())
        .Register(Plugins.NodeUnschedulable.NodeUnschedulable.PluginName, _ => new Plugins.NodeUnschedulable.NodeUnschedulable())
        .Register(Plugins.TaintToleration.TaintToleration.PluginName, _ => new Plugins.TaintToleration.TaintToleration())
        .Register(Plugins.NodeAffinity.NodeAffinity.PluginName, _ => new Plugins.NodeAffinity.NodeAffinity())
        .Register(Plugins.NodePorts.NodePorts.PluginName, _ => new Plugins.NodePorts.NodePorts())
        .Register(Plugins.NodeResourcesFit.NodeResourcesFit.PluginName, _ => new Plugins.NodeResourcesFit.NodeResourcesFit())
        .Register(Plugins.PodTopologySpread.PodTopologySpread.PluginName, c => new Plugins.PodTopologySpread.PodTopologySpread(c.DefaultSelector ?? (_ => null)))
        .Register(Plugins.InterPodAffinity.InterPodAffinity.PluginName, c => new Plugins.InterPodAffinity.InterPodAffinity(c.NamespaceLabels ?? (_ => null)))
        .Register(Plugins.NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation.PluginName, _ => new Plugins.NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation())
        .Register(Plugins.DefaultPreemption.DefaultPreemption.PluginName, c => new Plugins.DefaultPreemption.DefaultPreemption(c.Client, pdbs: c.PodDisruptionBudgets))
        .Register(Plugins.DefaultBinder.DefaultBinder.PluginName, c => new Plugins.DefaultBinder.DefaultBinder(c.Client));

    public PluginRegistry Register(string name, Func<PluginContext, IPlugin> factory)
    {
        if (!_factories.TryAdd(name, factory))
        {
            throw new InvalidOperationException($"a plugin named {name} already exists");
        }

        return this;
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    public IPlugin Create(string name, PluginContext context) =>
        _factories.TryGetValue(name, out var factory) ? factory(context) : throw new InvalidOperationException($"plugin \"{name}\" does not exist");
}
