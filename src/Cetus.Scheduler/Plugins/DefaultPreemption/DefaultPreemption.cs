using Cetus.Api.Validation;
using Cetus.Scheduler.Framework;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Scheduler.Plugins.DefaultPreemption;

/// <summary>
/// Preemption (upstream plugins/defaultpreemption and framework/preemption): when no node fits, finds the nodes where
/// removing lower-priority pods would make the pod fit, picks one by upstream's criteria, deletes its victims and
/// nominates the node; the pod is scheduled there once the victims are gone. Victims whose removal would violate a
/// PodDisruptionBudget are given back first, and nodes with fewer such violations are preferred; a budget is not an
/// absolute bar (as upstream, the victims are deleted, not evicted).
/// </summary>
internal sealed class DefaultPreemption(ISchedulerClient client, ILogger? logger = null, Func<IReadOnlyList<V1PodDisruptionBudget>>? pdbs = null) : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";

    /// <summary>Upstream's reasons in the "preemption: …" part of FailedScheduling.</summary>
    public const string NotHelpful = "Preemption is not helpful for scheduling";
    public const string NoVictims = "No preemption victims found for incoming pod";
    public const string PolicyNever = "not eligible due to preemptionPolicy=Never";
    public const string TerminatingOnNominated = "not eligible due to a terminating pod on the nominated node";

    /// <summary>Upstream's default minCandidateNodesPercentage and minCandidateNodesAbsolute.</summary>
    private const int MinCandidateNodesPercentage = 10;
    private const int MinCandidateNodesAbsolute = 100;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Name => PluginName;

    public (string? NominatedNode, Status? Status) PostFilter(CycleState state, V1Pod pod, IReadOnlyDictionary<string, Status> filterStatuses)
    {
        var nodes = state.Read<IReadOnlyList<NodeInfo>>(CycleState.AllNodesKey) ?? [];
        var filter = state.Read<FilterRunner>(CycleState.FilterRunnerKey);
        if (filter is null)
        {
            return (null, Status.Error("no filter runner in the cycle state"));
        }

        if (Ineligible(pod, nodes) is { } why)
        {
            return (null, Status.Unschedulable("preemption: " + why));
        }

        var (candidates, statuses) = FindCandidates(state, pod, nodes, filterStatuses, filter, pdbs?.Invoke() ?? []);
        if (candidates.Count == 0)
        {
            var fitError = new FitError { NumAllNodes = nodes.Count };
            foreach (var (name, status) in statuses)
            {
                fitError.NodeToStatus[name] = status;
            }

            // No candidate: a nomination the pod had is cleared (upstream NewPostFilterResultWithNominatedNode("")).
            return (string.Empty, Status.Unschedulable("preemption: " + fitError.Message.TrimEnd('.')));
        }

        var chosen = SelectCandidate(candidates);
        foreach (var victim in chosen.Victims)
        {
            _ = DeleteVictimAsync(victim, pod);
        }

        return (chosen.Node, Status.SuccessStatus);
    }

    /// <summary>Upstream PodEligibleToPreemptOthers: null when the pod may preempt, else why not.</summary>
    internal static string? Ineligible(V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (pod.Spec?.PreemptionPolicy == "Never")
        {
            return PolicyNever;
        }

        // It preempted already and its victims are still terminating: wait for them rather than preempt more.
        var nominated = pod.Status?.NominatedNodeName;
        if (!string.IsNullOrEmpty(nominated) && nodes.FirstOrDefault(n => n.Name == nominated) is { } node)
        {
            var priority = PriorityOf(pod);
            if (node.Pods.Any(p => p.Pod.Metadata.DeletionTimestamp is not null && PriorityOf(p.Pod) < priority))
            {
                return TerminatingOnNominated;
            }
        }

        return null;
    }

    /// <summary>
    /// Upstream DryRunPreemption over the nodes where preemption might help (those not rejected as unresolvable),
    /// stopping after max(10 % of the nodes, 100) candidates.
    /// </summary>
    internal static (List<Candidate> Candidates, Dictionary<string, Status> Statuses) FindCandidates(
        CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes, IReadOnlyDictionary<string, Status> filterStatuses, FilterRunner filter,
        IReadOnlyList<V1PodDisruptionBudget>? pdbs = null)
    {
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var candidates = new List<Candidate>();
        var wanted = Math.Min(nodes.Count, Math.Max(nodes.Count * MinCandidateNodesPercentage / 100, MinCandidateNodesAbsolute));
        foreach (var node in nodes)
        {
            if (candidates.Count >= wanted)
            {
                break;
            }

            if (!filterStatuses.TryGetValue(node.Name, out var filterStatus) || filterStatus.Code != Code.Unschedulable)
            {
                // Rejected for a reason no removal changes (or excluded by a PreFilter).
                statuses[node.Name] = Status.Unresolvable(NotHelpful);
                continue;
            }

            var (victims, violations, status) = SelectVictimsOnNode(state, pod, node, filter, pdbs);
            if (status is null && victims.Count > 0)
            {
                candidates.Add(new Candidate(node.Name, victims, violations));
            }
            else
            {
                statuses[node.Name] = status ?? Status.Unschedulable(NoVictims);
            }
        }

        return (candidates, statuses);
    }

    /// <summary>
    /// Upstream SelectVictimsOnNode: remove every lower-priority pod; if the pod then fits, give back as many as
    /// possible — first those whose removal would violate a PodDisruptionBudget, then the others, most important first
    /// in each group; the rest are the victims (most important first), with how many of them violate a budget. It
    /// works on copies of the node and of the cycle state, which the PreFilter extensions keep in step with each
    /// removal and addition; the filters count the pods nominated to the node.
    /// </summary>
    internal static (List<V1Pod> Victims, int PdbViolations, Status? Status) SelectVictimsOnNode(
        CycleState state, V1Pod pod, NodeInfo node, FilterRunner filter, IReadOnlyList<V1PodDisruptionBudget>? pdbs = null)
    {
        var priority = PriorityOf(pod);
        var potential = node.Pods.Where(p => PriorityOf(p.Pod) < priority).OrderBy(p => p, MoreImportantFirst).ToList();
        if (potential.Count == 0)
        {
            return ([], 0, Status.Unschedulable(NoVictims));
        }

        state = state.Clone();
        var trial = node.Clone();
        foreach (var victim in potential)
        {
            trial.RemovePod(victim.Key);
            if (filter.RemovePod?.Invoke(state, pod, victim, trial) is { IsSuccess: false } removeError)
            {
                return ([], 0, removeError);
            }
        }

        if (filter.Run(state, pod, trial) is { } status && !status.IsSuccess)
        {
            return ([], 0, status);
        }

        var (violating, nonViolating) = SplitByPdbViolation(potential, pdbs ?? []);
        var victims = new List<V1Pod>();
        var violations = 0;
        foreach (var candidate in violating.Concat(nonViolating))
        {
            trial.AddPod(candidate);
            if (filter.AddPod?.Invoke(state, pod, candidate, trial) is { IsSuccess: false } addError)
            {
                return ([], 0, addError);
            }

            if (filter.Run(state, pod, trial) is { IsSuccess: false })
            {
                trial.RemovePod(candidate.Key);
                if (filter.RemovePod?.Invoke(state, pod, candidate, trial) is { IsSuccess: false } removeError)
                {
                    return ([], 0, removeError);
                }

                victims.Add(candidate.Pod);
                violations += violating.Contains(candidate) ? 1 : 0;
            }
        }

        if (violating.Count > 0 && nonViolating.Count > 0)
        {
            victims = [.. victims.OrderBy(v => v, MoreImportantPodFirst)];
        }

        return (victims, violations, null);
    }

    /// <summary>
    /// Upstream filterPodsWithPDBViolation: going through the pods in order, each takes one disruption from every PDB
    /// of its namespace that selects it (unless the PDB already counts it in disruptedPods); a pod that takes a PDB
    /// below zero violates it. A PDB with a missing or empty selector selects nothing here.
    /// </summary>
    internal static (List<PodInfo> Violating, List<PodInfo> NonViolating) SplitByPdbViolation(IReadOnlyList<PodInfo> pods, IReadOnlyList<V1PodDisruptionBudget> pdbs)
    {
        var allowed = pdbs.Select(p => p.Status?.DisruptionsAllowed ?? 0).ToArray();
        var violating = new List<PodInfo>();
        var nonViolating = new List<PodInfo>();
        foreach (var info in pods)
        {
            var metadata = info.Pod.Metadata;
            var violates = false;
            if (metadata.Labels is { Count: > 0 })
            {
                for (var i = 0; i < pdbs.Count; i++)
                {
                    var pdb = pdbs[i];
                    var selector = pdb.Spec?.Selector;
                    if (pdb.Metadata.NamespaceProperty != metadata.NamespaceProperty || selector is null || LabelSelectors.IsEmpty(selector)
                        || !LabelSelectors.IsWellFormed(selector) || !LabelSelectors.Matches(selector, metadata.Labels)
                        || pdb.Status?.DisruptedPods?.ContainsKey(metadata.Name) == true)
                    {
                        continue;
                    }

                    allowed[i]--;
                    violates |= allowed[i] < 0;
                }
            }

            (violates ? violating : nonViolating).Add(info);
        }

        return (violating, nonViolating);
    }

    /// <summary>
    /// Upstream pickOneNodeForPreemption: a node without victims at once; else the fewest PDB violations, the lowest
    /// highest-victim priority, the smallest sum of victim priorities, the fewest victims, the latest start of the earliest-started
    /// highest-priority victim, then the first.
    /// </summary>
    internal static Candidate SelectCandidate(IReadOnlyList<Candidate> candidates)
    {
        if (candidates.FirstOrDefault(c => c.Victims.Count == 0) is { } free)
        {
            return free;
        }

        IEnumerable<Candidate> left = candidates;
        left = Minimal(left, c => c.PdbViolations);
        left = Minimal(left, c => PriorityOf(c.Victims[0]));
        left = Minimal(left, c => c.Victims.Sum(v => (long)PriorityOf(v) + int.MaxValue + 1));
        left = Minimal(left, c => c.Victims.Count);
        left = Minimal(left, c => -EarliestStartOfHighest(c.Victims).Ticks);
        return left.First();
    }

    private static List<Candidate> Minimal(IEnumerable<Candidate> candidates, Func<Candidate, long> key)
    {
        var list = candidates.ToList();
        var best = list.Min(key);
        return [.. list.Where(c => key(c) == best)];
    }

    private static DateTime EarliestStartOfHighest(IReadOnlyList<V1Pod> victims)
    {
        var highest = victims.Max(PriorityOf);
        return victims.Where(v => PriorityOf(v) == highest).Min(StartOf);
    }

    /// <summary>Upstream MoreImportantPod: higher priority, then earlier start.</summary>
    private static readonly Comparer<V1Pod> MoreImportantPodFirst = Comparer<V1Pod>.Create((a, b) =>
    {
        var byPriority = PriorityOf(b).CompareTo(PriorityOf(a));
        return byPriority != 0 ? byPriority : StartOf(a).CompareTo(StartOf(b));
    });

    private static readonly Comparer<PodInfo> MoreImportantFirst = Comparer<PodInfo>.Create((a, b) => MoreImportantPodFirst.Compare(a.Pod, b.Pod));

    private static int PriorityOf(V1Pod pod) => pod.Spec?.Priority ?? 0;

    // A pod not started yet counts as the latest started (upstream GetPodStartTime falls back to the current time).
    private static DateTime StartOf(V1Pod pod) => pod.Status?.StartTime ?? DateTime.MaxValue;

    private async Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor)
    {
        try
        {
            await client.DeletePodAsync(victim, CancellationToken.None).ConfigureAwait(false);
            _logger.LogInformation("preempted {Victim} on {Node} for {Preemptor}", Client.ObjectKeys.Of(victim), victim.Spec?.NodeName, Client.ObjectKeys.Of(preemptor));
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
        {
            _logger.LogWarning("could not delete the victim {Victim}: {Error}", Client.ObjectKeys.Of(victim), e.Message);
        }
    }
}

/// <summary>A node where preemption makes the pod fit, with the pods to delete (most important first) and how many of them violate a PodDisruptionBudget.</summary>
internal sealed record Candidate(string Node, IReadOnlyList<V1Pod> Victims, int PdbViolations = 0);
