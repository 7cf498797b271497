using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>Every plugin has a name, unique in the registry, used in profiles and in users' messages.</summary>
internal interface IPlugin
{
    string Name { get; }
}

/// <summary>Orders the active queue. Exactly one per profile.</summary>
internal interface IQueueSortPlugin : IPlugin
{
    /// <summary>True when <paramref name="a"/> should be scheduled before <paramref name="b"/>.</summary>
    bool Less(QueuedPodInfo a, QueuedPodInfo b);
}

/// <summary>Runs before a pod enters the active queue; anything but Success parks the pod until an event changes it.</summary>
internal interface IPreEnqueuePlugin : IPlugin
{
    Status? PreEnqueue(V1Pod pod);
}

/// <summary>What a PreFilter may say about nodes: null means all nodes, a set means only these names.</summary>
internal sealed record PreFilterResult(IReadOnlySet<string>? NodeNames);

/// <summary>
/// Runs once per cycle before the filters: computes state for them or rejects the pod outright (the pod is then
/// unschedulable on every node). Skip turns this plugin's Filter off for the cycle.
/// </summary>
internal interface IPreFilterPlugin : IPlugin
{
    (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);
}

/// <summary>
/// A PreFilter plugin whose state depends on the pods of nodes (upstream PreFilterExtensions): when the framework
/// tries the pod on a copy of a node with a pod added (a nominated pod) or removed (a preemption victim), it calls
/// these on a clone of the cycle state so that Filter sees the changed node consistently. Only called when the
/// plugin's PreFilter did not return Skip.
/// </summary>
internal interface IPreFilterExtensions : IPreFilterPlugin
{
    Status? AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo node);

    Status? RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo node);
}

/// <summary>Says whether the pod can run on one node. Runs for many nodes, possibly in parallel: must not write state.</summary>
internal interface IFilterPlugin : IPlugin
{
    Status? Filter(CycleState state, V1Pod pod, NodeInfo node);
}

/// <summary>
/// Runs when no node passed the filters (preemption lives here): may nominate a node (a name), clear the pod's
/// nomination (""), or leave it (null).
/// </summary>
internal interface IPostFilterPlugin : IPlugin
{
    (string? NominatedNode, Status? Status) PostFilter(CycleState state, V1Pod pod, IReadOnlyDictionary<string, Status> filterStatuses);
}

/// <summary>Runs once per cycle before scoring, with the feasible nodes. Skip turns this plugin's Score off.</summary>
internal interface IPreScorePlugin : IPlugin
{
    Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes);
}

/// <summary>
/// Scores a feasible node. Scores of a plugin are normalized to [0, 100] (by <see cref="NormalizeScore"/> when the
/// raw scores have another range), then multiplied by the plugin's weight in the profile.
/// </summary>
internal interface IScorePlugin : IPlugin
{
    /// <summary>The highest score after normalization.</summary>
    public const long MaxNodeScore = 100;

    (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node);

    /// <summary>Rewrites the raw scores in place into [0, 100]; the default leaves them as they are.</summary>
    Status? NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores) => null;
}

/// <summary>A node's score from one plugin (a value: a cycle scores hundreds of nodes with each plugin).</summary>
internal struct NodeScore(string name, long score)
{
    public readonly string Name => name;

    public long Score { readonly get; set; } = score;
}

/// <summary>
/// Reserve runs when the pod is assumed on a node (before binding); Unreserve undoes it when a later step fails.
/// Unreserve must be idempotent.
/// </summary>
internal interface IReservePlugin : IPlugin
{
    Status? Reserve(CycleState state, V1Pod pod, string nodeName);

    void Unreserve(CycleState state, V1Pod pod, string nodeName);
}

/// <summary>
/// The last gate before binding: Success lets the pod bind; a rejection unreserves and requeues it; Wait parks the pod
/// (assumed on its node) in <see cref="WaitingPods"/> for at most <c>Timeout</c> (cut to 15 minutes) until the plugin,
/// or another through the same <see cref="WaitingPods"/>, allows or rejects it; the timeout rejects it.
/// </summary>
internal interface IPermitPlugin : IPlugin
{
    (Status? Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName);
}

/// <summary>Runs in the binding cycle before Bind (e.g. to provision volumes); failure unreserves and requeues.</summary>
internal interface IPreBindPlugin : IPlugin
{
    Task<Status?> PreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}

/// <summary>
/// Binds the pod to the node. Bind plugins run in order until one does not return Skip; binding runs
/// asynchronously, after the next pod's scheduling cycle has begun.
/// </summary>
internal interface IBindPlugin : IPlugin
{
    Task<Status?> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}

/// <summary>
/// The cluster events after which a pod this plugin rejected may fit (upstream EnqueueExtensions): the queue moves an
/// unschedulable pod back only on events one of its rejecting plugins registered.
/// </summary>
internal interface IEnqueueExtensions : IPlugin
{
    IReadOnlyList<ClusterEvent> EventsToRegister();
}

/// <summary>A kind of change in the cluster.</summary>
[Flags]
internal enum ActionType
{
    Add = 1,
    Delete = 2,
    UpdateNodeAllocatable = 4,
    UpdateNodeLabel = 8,
    UpdateNodeTaint = 16,
    UpdateNodeCondition = 32,
    UpdatePodLabel = 64,
    UpdatePodScaleDown = 128,
    UpdatePodSchedulingGatesEliminated = 256,
    UpdatePodTolerations = 512,
    Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint | UpdateNodeCondition | UpdatePodLabel | UpdatePodScaleDown | UpdatePodSchedulingGatesEliminated | UpdatePodTolerations,
    All = Add | Delete | Update,
}

/// <summary>The resources whose events the scheduler reacts to.</summary>
internal enum EventResource
{
    Node,

    /// <summary>A pod already bound (or assumed) to a node.</summary>
    AssignedPod,

    /// <summary>The unscheduled pod itself.</summary>
    UnschedulablePod,

    /// <summary>Anything: matches every event (used for the five-minute flush and unknown causes).</summary>
    Wildcard,
}

/// <summary>An event on a resource: what happened and to what.</summary>
internal readonly record struct ClusterEvent(EventResource Resource, ActionType Action, string Label)
{
    public static readonly ClusterEvent NodeAdd = new(EventResource.Node, ActionType.Add, "NodeAdd");
    public static readonly ClusterEvent AssignedPodDelete = new(EventResource.AssignedPod, ActionType.Delete, "AssignedPodDelete");
    public static readonly ClusterEvent AssignedPodAdd = new(EventResource.AssignedPod, ActionType.Add, "AssignedPodAdd");
    public static readonly ClusterEvent UnschedulableTimeout = new(EventResource.Wildcard, ActionType.All, "UnschedulableTimeout");
    public static readonly ClusterEvent ForceActivate = new(EventResource.Wildcard, ActionType.All, "ForceActivate");

    /// <summary>True when this event (as registered by a plugin) covers <paramref name="happened"/>.</summary>
    public bool Matches(ClusterEvent happened) =>
        Resource == EventResource.Wildcard || happened.Resource == EventResource.Wildcard ||
        (Resource == happened.Resource && (Action & happened.Action) != 0);
}
