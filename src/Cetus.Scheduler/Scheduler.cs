using System.Collections.Concurrent;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Scheduler;

/// <summary>
/// The scheduling loop (upstream schedule_one.go): pop a pod, filter and score the nodes of a fresh snapshot, assume
/// the pod on the best node, then bind it asynchronously while the next pod is scheduled. Failures record a
/// FailedScheduling event, set PodScheduled=False and send the pod back to the queue.
/// </summary>
internal sealed partial class Scheduler
{
    /// <summary>Below this many nodes, every node is checked (upstream minFeasibleNodesToFind).</summary>
    public const int MinFeasibleNodesToFind = 100;

    /// <summary>The adaptive percentage never goes below this (upstream minFeasibleNodesPercentageToFind).</summary>
    public const int MinFeasibleNodesPercentageToFind = 5;

    // HandleFailure's nomination for failures other than "no node fits": the pod is nominated nowhere (upstream clearNominatedNode).
    private const string ClearNomination = "";

    // The cycle state key of the attempt's decision record (the binding cycle updates it when binding fails).
    private const string DecisionKey = "Cetus/SchedulingDecision";

    private readonly Dictionary<string, Profile> _profiles;
    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly ISchedulerClient _client;
    private readonly IEventRecorder _events;
    private readonly Func<string, V1Pod?> _getPod;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Decisions.SchedulingDecisions? _decisions;
    private readonly Snapshot _snapshot = new();
    private readonly ConcurrentDictionary<Task, byte> _bindings = new();
    private int _nextStartNodeIndex;

    public Scheduler(IReadOnlyList<Profile> profiles, SchedulerCache cache, SchedulingQueue queue, ISchedulerClient client, IEventRecorder events, Func<string, V1Pod?> getPod, TimeProvider? time = null, ILogger? logger = null, Random? random = null, Decisions.SchedulingDecisions? decisions = null)
    {
        _decisions = decisions;
        _profiles = profiles.ToDictionary(p => p.SchedulerName, StringComparer.Ordinal);
        _cache = cache;
        _queue = queue;
        _client = client;
        _events = events;
        _getPod = getPod;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? new Random();
    }

    public SchedulerCache Cache => _cache;

    public SchedulingQueue Queue => _queue;

    /// <summary>True when a profile of this scheduler handles the pod.</summary>
    public bool Responsible(V1Pod pod) => _profiles.ContainsKey(SchedulerNameOf(pod));

    /// <summary>
    /// How many feasible nodes to find before scoring (upstream numFeasibleNodesToFind): all of them below 100 nodes;
    /// otherwise the percentage (adaptive by default: 50 − nodes/125, at least 5), and never fewer than 100.
    /// </summary>
    public static int NumFeasibleNodesToFind(int? percentageOfNodesToScore, int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind)
        {
            return numAllNodes;
        }

        var percentage = percentageOfNodesToScore ?? 0;
        if (percentage >= 100)
        {
            return numAllNodes;
        }

        if (percentage <= 0)
        {
            percentage = 50 - (numAllNodes / 125);
            if (percentage < MinFeasibleNodesPercentageToFind)
            {
                percentage = MinFeasibleNodesPercentageToFind;
            }
        }

        var numNodes = (int)((long)numAllNodes * percentage / 100);
        return numNodes < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : numNodes;
    }

    /// <summary>Schedules pods until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var flushes = _queue.RunAsync(cancellationToken);
        var cleanup = _cache.RunCleanupAsync(expired => _logger.LogWarning("assumed pods expired without being seen bound: {Pods}", string.Join(", ", expired)), cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var info = await _queue.PopAsync(cancellationToken).ConfigureAwait(false);
                if (info is null)
                {
                    break;
                }

                try
                {
                    ScheduleOne(info, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug must not stop the loop (every other pod would wait forever): log it and retry the pod later.
                    _logger.LogError(e, "scheduling pod {Pod} failed", info.Key);
                    _cache.ForgetPod(info.Pod);
                    HandleFailure(info, _queue.SchedulingCycle, "SchedulerError", e.Message, error: true, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Close();
            await flushes.ConfigureAwait(false);
            await cleanup.ConfigureAwait(false);
            await WaitForBindingsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the bindings in flight (tests; shutdown).</summary>
    public Task WaitForBindingsAsync() => Task.WhenAll(_bindings.Keys);

    /// <summary>One scheduling cycle for one pod; its binding cycle continues in the background.</summary>
    public void ScheduleOne(QueuedPodInfo info, CancellationToken cancellationToken)
    {
        var pod = info.Pod;
        if (!_profiles.TryGetValue(SchedulerNameOf(pod), out var profile))
        {
            return;
        }

        if (pod.Metadata.DeletionTimestamp is not null || _cache.IsAssumed(info.Key))
        {
            return;
        }

        var cycle = _queue.SchedulingCycle;
        var state = new CycleState();
        _cache.UpdateSnapshot(_snapshot);
        var decision = _decisions is null ? null : Decisions.DecisionRecorder.Start(pod, profile.SchedulerName, _time.GetUtcNow());
        var (host, fitError, error) = SchedulePod(profile, state, pod, decision);
        if (decision is not null)
        {
            if (host is not null)
            {
                decision.Result = "Scheduled";
                decision.Node = host;
            }
            else if (fitError is not null)
            {
                Decisions.DecisionRecorder.Unschedulable(decision, fitError);
            }
            else
            {
                decision.Result = "Error";
                decision.Message = error!;
            }

            _decisions!.Record(decision);
            state.Write(DecisionKey, decision);
        }

        if (host is null)
        {
            if (fitError is not null)
            {
                info.UnschedulablePlugins.Clear();
                info.UnschedulablePlugins.UnionWith(fitError.UnschedulablePlugins);
                HandleFailure(info, cycle, "Unschedulable", fitError.Message, error: false, cancellationToken, fitError.NominatedNode);
            }
            else
            {
                HandleFailure(info, cycle, "SchedulerError", error!, error: true, cancellationToken);
            }

            return;
        }

        // Assume: the next cycles count this pod on its node while the binding is in flight; it is nominated nowhere.
        var assumed = AssumedPod.Of(pod, host);
        _cache.AssumePod(assumed);
        _queue.Nominator.Delete(assumed);

        var reserve = profile.RunReserve(state, assumed, host);
        if (reserve is not null && !reserve.IsSuccess)
        {
            profile.RunUnreserve(state, assumed, host);
            _cache.ForgetPod(assumed);
            DecisionFailed(state, $"chose {host}, then Reserve plugin \"{reserve.Plugin}\" said: {reserve.Message}");
            FailAfterAssume(info, cycle, host, reserve, cancellationToken);
            return;
        }

        // Wait goes on to the binding cycle, which blocks until the pod is allowed or rejected.
        var permit = profile.RunPermit(state, assumed, host);
        if (permit is not null && !permit.IsSuccess && permit.Code != Code.Wait)
        {
            profile.RunUnreserve(state, assumed, host);
            _cache.ForgetPod(assumed);
            DecisionFailed(state, $"chose {host}, then Permit plugin \"{permit.Plugin}\" said: {permit.Message}");
            FailAfterAssume(info, cycle, host, permit, cancellationToken);
            return;
        }

        var binding = Task.Run(() => BindingCycleAsync(profile, state, info, assumed, host, cycle, cancellationToken), CancellationToken.None);
        _bindings.TryAdd(binding, 0);
        binding.ContinueWith(t => _bindings.TryRemove(t, out _), TaskScheduler.Default);
    }

    // The node was chosen, then a later step failed: the recorded decision says so.
    private void DecisionFailed(CycleState state, string message)
    {
        if (_decisions is not null && state.Read<Decisions.SchedulingDecision>(DecisionKey) is { } decision)
        {
            _decisions.Update(decision, d =>
            {
                d.Result = "Error";
                d.Message = message;
            });
        }
    }

    // A rejection after the node was chosen reads like any "no node fits" (upstream wraps it in a FitError over the
    // one node): "0/1 nodes are available: 1 rejected due to timeout after waiting 10s at plugin P."
    private void FailAfterAssume(QueuedPodInfo info, long cycle, string host, Status status, CancellationToken cancellationToken)
    {
        if (status.IsRejected)
        {
            info.UnschedulablePlugins.Clear();
            info.UnschedulablePlugins.Add(status.Plugin);
            var fitError = new FitError { NumAllNodes = 1 };
            fitError.NodeToStatus[host] = status;
            HandleFailure(info, cycle, "Unschedulable", fitError.Message, error: false, cancellationToken);
        }
        else
        {
            HandleFailure(info, cycle, "SchedulerError", status.Message, error: true, cancellationToken);
        }
    }

    private async Task BindingCycleAsync(Profile profile, CycleState state, QueuedPodInfo info, V1Pod assumed, string host, long cycle, CancellationToken cancellationToken)
    {
        Status? status;
        var step = "binding failed";
        try
        {
            status = await profile.WaitOnPermitAsync(assumed, cancellationToken).ConfigureAwait(false);
            if (status is not null && !status.IsSuccess)
            {
                step = $"Permit plugin \"{status.Plugin}\" said while the pod waited";
            }
            else
            {
                status = await profile.RunPreBindAsync(state, assumed, host, cancellationToken).ConfigureAwait(false);
            }

            if (status is null || status.IsSuccess)
            {
                status = await profile.RunBindAsync(state, assumed, host, cancellationToken).ConfigureAwait(false);
                _cache.FinishBinding(assumed);
            }
        }
        catch (OperationCanceledException)
        {
            status = Status.Error("the scheduler is stopping");
        }
        catch (Exception e)
        {
            // A failed binding must never leave the pod assumed: forget it and retry below.
            _logger.LogError(e, "binding pod {Pod} to {Node} threw", info.Key, host);
            status = Status.Error(e.Message);
        }

        if (status is null || status.IsSuccess)
        {
            _events.Event(assumed, EventTypes.Normal, "Scheduled", $"Successfully assigned {assumed.Metadata.NamespaceProperty}/{assumed.Metadata.Name} to {host}");
            return;
        }

        DecisionFailed(state, $"chose {host}, then {step}: {status.Message}");

        // The pod's requests no longer count on the node: pods waiting for room may fit now.
        profile.RunUnreserve(state, assumed, host);
        _cache.ForgetPod(assumed);
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
        _logger.LogWarning("binding pod {Pod} to {Node} failed: {Status}", info.Key, host, status);
        FailAfterAssume(info, cycle, host, status, cancellationToken);
    }

    /// <summary>
    /// Upstream handleSchedulingFailure: the event, the pod back into the queue (unless it was deleted or bound
    /// meanwhile), its nomination (<paramref name="nominatedNode"/>: a node, "" to clear it, null to leave it; the
    /// nominator records it at once, before the status write) and the PodScheduled=False condition when it changed.
    /// </summary>
    private void HandleFailure(QueuedPodInfo info, long cycle, string reason, string message, bool error, CancellationToken cancellationToken, string? nominatedNode = ClearNomination)
    {
        var pod = info.Pod;
        _events.Event(pod, EventTypes.Warning, "FailedScheduling", message);
        var current = _getPod(info.Key);
        if (current is null || !string.IsNullOrEmpty(current.Spec?.NodeName) || current.Metadata.Uid != pod.Metadata.Uid)
        {
            return;
        }

        info.Update(current);
        _queue.AddUnschedulable(info, cycle, error);
        if (nominatedNode is not null)
        {
            _queue.Nominator.Add(info.PodInfo, nominatedNode);
        }

        if (nominatedNode is not null && (current.Status?.NominatedNodeName ?? string.Empty) != nominatedNode)
        {
            // Preemption chose this node (the pod waits for its victims to go and is tried there first), or the pod's
            // nomination is cleared.
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        await _client.SetNominatedNodeNameAsync(current, nominatedNode.Length == 0 ? null : nominatedNode, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
                    {
                        _logger.LogWarning("could not nominate {Node} for {Pod}: {Error}", nominatedNode, info.Key, e.Message);
                    }
                },
                CancellationToken.None);
        }

        var existing = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (existing is { Status: "False" } && existing.Reason == reason && existing.Message == message)
        {
            return;
        }

        var condition = new V1PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = reason,
            Message = message,
            LastTransitionTime = existing?.Status == "False" ? existing.LastTransitionTime : TruncatedNow(),
            LastProbeTime = null,
        };
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await _client.SetPodScheduledConditionAsync(current, condition, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
                {
                    _logger.LogWarning("could not set PodScheduled on {Pod}: {Error}", info.Key, e.Message);
                }
            },
            CancellationToken.None);
    }

    private DateTime TruncatedNow()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    private static string SchedulerNameOf(V1Pod pod) =>
        string.IsNullOrEmpty(pod.Spec?.SchedulerName) ? Config.SchedulerDefaults.SchedulerName : pod.Spec.SchedulerName;
}
