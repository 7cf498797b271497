using k8s.Models;

namespace Cetus.Kubelet.Status;

/// <summary>
/// Computes a pod's status from its spec and what the runtime holds, following Kubernetes' kubelet
/// (generateAPIPodStatus, getPhase, pkg/kubelet/status/generate.go): phase, the conditions PodReadyToStartContainers,
/// Initialized, Ready, ContainersReady and PodScheduled (in that order), container statuses, IPs, startTime and
/// qosClass. Pure: the same inputs give the same status.
/// </summary>
public static class PodStatusCalculator
{
    /// <summary>The condition types the kubelet owns (others, such as readiness gates, belong to other writers).</summary>
    public static readonly IReadOnlyList<string> OwnedConditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

    /// <summary>Computes the status.</summary>
    /// <param name="pod">The pod as the API server has it (spec, and the status written so far).</param>
    /// <param name="runtime">What the runtime holds for it.</param>
    /// <param name="waiting">Why containers wait, by container name, when known (image pull errors).</param>
    /// <param name="hostIP">The node's IP.</param>
    /// <param name="now">The time (start time and condition transitions).</param>
    /// <param name="podIsTerminal">True once the kubelet has stopped the pod for good (deletion, or it ran to completion).</param>
    /// <param name="probes">What the probes say of running containers, by container name (none: a running container is started and ready).</param>
    public static V1PodStatus Compute(V1Pod pod, RuntimePodState runtime, IReadOnlyDictionary<string, ContainerWaiting> waiting, string hostIP, DateTime now, bool podIsTerminal, IReadOnlyDictionary<string, ContainerProbeView>? probes = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(runtime);
        now = Truncate(now);
        var spec = pod.Spec ?? new V1PodSpec();
        var previous = pod.Status ?? new V1PodStatus();
        var initStatuses = (spec.InitContainers ?? []).Select(c => ContainerStatus(c, runtime, waiting, probes, isInit: true, "PodInitializing")).ToList();
        var initialized = InitializedCondition(spec, initStatuses);
        // App containers wait for the init containers ("PodInitializing"), then for their creation.
        var statuses = spec.Containers.Select(c => ContainerStatus(c, runtime, waiting, probes, isInit: false, initialized.Status == "True" ? "ContainerCreating" : "PodInitializing")).ToList();

        var phase = Phase(spec, initStatuses, statuses, podIsTerminal);
        // A terminal phase never goes back (the API server refuses it too).
        if (previous.Phase is "Succeeded" or "Failed")
        {
            phase = previous.Phase;
        }

        var status = new V1PodStatus
        {
            Phase = phase,
            HostIP = hostIP,
            HostIPs = [new V1HostIP { Ip = hostIP }],
            PodIP = runtime.PodIP,
            PodIPs = runtime.PodIP is null ? null : [new V1PodIP { Ip = runtime.PodIP }],
            StartTime = previous.StartTime ?? now,
            QosClass = QosClasses.Of(pod),
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
            ContainerStatuses = statuses,
        };

        if (!runtime.SandboxReady && runtime.PodIP is null && previous.PodIP is { } ip && phase is "Succeeded" or "Failed")
        {
            // Kubernetes keeps the last pod IP of a finished pod.
            status.PodIP = ip;
            status.PodIPs = previous.PodIPs;
        }

        var conditions = new List<V1PodCondition>
        {
            Condition("PodReadyToStartContainers", runtime.SandboxReady && runtime.PodIP is not null ? "True" : "False", null, null),
            initialized,
        };
        var containersReady = ContainersReadyCondition(spec, statuses, initStatuses, phase);
        conditions.Add(ReadyCondition(spec, containersReady, previous));
        conditions.Add(containersReady);
        conditions.Add(Condition("PodScheduled", "True", null, null));
        status.Conditions = [.. conditions.Select(c => KeepTransitionTime(c, previous, now))];
        return status;
    }

    /// <summary>The pod's phase from its container statuses (the kubelet's getPhase).</summary>
    public static string Phase(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> initStatuses, IReadOnlyList<V1ContainerStatus> statuses, bool podIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var restartPolicy = spec.RestartPolicy ?? "Always";
        var pendingInitialization = 0;
        var failedInitialization = 0;
        foreach (var init in spec.InitContainers ?? [])
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == init.Name);
            if (IsSidecar(init))
            {
                // A native sidecar counts as initialized once started.
                if (status?.Started != true)
                {
                    pendingInitialization++;
                }

                continue;
            }

            if (status?.State is null)
            {
                pendingInitialization++;
            }
            else if (status.State.Running is not null)
            {
                pendingInitialization++;
            }
            else if (status.State.Terminated is { } terminated)
            {
                if (terminated.ExitCode != 0)
                {
                    failedInitialization++;
                }
            }
            else if (status.LastState?.Terminated is { ExitCode: not 0 })
            {
                failedInitialization++;
            }
            else
            {
                pendingInitialization++;
            }
        }

        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var container in spec.Containers)
        {
            var status = statuses.FirstOrDefault(s => s.Name == container.Name);
            if (status?.State is null)
            {
                unknown++;
            }
            else if (status.State.Running is not null)
            {
                running++;
            }
            else if (status.State.Terminated is { } terminated)
            {
                stopped++;
                if (terminated.ExitCode == 0)
                {
                    succeeded++;
                }
            }
            else if (status.LastState?.Terminated is not null)
            {
                stopped++;
            }
            else
            {
                waiting++;
            }
        }

        if (failedInitialization > 0 && restartPolicy == "Never")
        {
            return "Failed";
        }

        if (pendingInitialization > 0 && failedInitialization == 0 && !podIsTerminal)
        {
            return "Pending";
        }

        if (waiting > 0 && !podIsTerminal)
        {
            return "Pending";
        }

        if (running > 0 && unknown == 0)
        {
            return "Running";
        }

        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (podIsTerminal)
            {
                return stopped == succeeded ? "Succeeded" : "Failed";
            }

            if (restartPolicy == "Always")
            {
                // Exited containers will be restarted.
                return "Running";
            }

            if (stopped == succeeded)
            {
                return "Succeeded";
            }

            return restartPolicy == "Never" ? "Failed" : "Running";
        }

        if (podIsTerminal && unknown + waiting > 0 && running == 0)
        {
            // Stopped before every container ran: what did run decides.
            return stopped > 0 && stopped == succeeded && waiting == 0 && unknown == 0 ? "Succeeded" : "Failed";
        }

        return "Pending";
    }

    /// <summary>True for an init container with restartPolicy Always (a native sidecar, KEP-753).</summary>
    public static bool IsSidecar(V1Container container) => container?.RestartPolicy == "Always";

    /// <summary>Truncates to whole seconds, as the API server stores times.</summary>
    public static DateTime Truncate(DateTime time) => new(time.ToUniversalTime().Ticks - (time.ToUniversalTime().Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static V1ContainerStatus ContainerStatus(V1Container container, RuntimePodState runtime, IReadOnlyDictionary<string, ContainerWaiting> waiting, IReadOnlyDictionary<string, ContainerProbeView>? probes, bool isInit, string defaultWaiting)
    {
        var latest = runtime.Latest(container.Name);
        var previous = runtime.Previous(container.Name);
        var status = new V1ContainerStatus
        {
            Name = container.Name,
            Image = container.Image,
            ImageID = latest?.ImageRef ?? string.Empty,
            ContainerID = latest is null ? null : $"{runtime.RuntimeName}://{latest.Id}",
            RestartCount = (int)(latest?.Attempt ?? 0),
            Ready = false,
            Started = false,
            LastState = new V1ContainerState { Terminated = previous is { State: RuntimeContainerState.Exited } ? Terminated(previous, runtime.RuntimeName) : null },
        };

        if (waiting.TryGetValue(container.Name, out var why) && latest?.State != RuntimeContainerState.Running)
        {
            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = why.Reason, Message = why.Message } };
            if (latest?.State == RuntimeContainerState.Exited)
            {
                // Waiting to restart (CrashLoopBackOff): the instance that exited is the last state.
                status.LastState = new V1ContainerState { Terminated = Terminated(latest, runtime.RuntimeName) };
            }

            return status;
        }

        switch (latest?.State)
        {
            case RuntimeContainerState.Running:
                status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = latest.StartedAt is { } s ? Truncate(s) : null } };
                // A running container is started and ready (unless a plain init container), or as its probes say.
                var view = probes is not null && probes.TryGetValue(container.Name, out var found) && found.ContainerId == latest.Id ? found : null;
                status.Started = view?.Started ?? true;
                status.Ready = (!isInit || IsSidecar(container)) && (view?.Ready ?? true);
                break;
            case RuntimeContainerState.Exited:
                status.State = new V1ContainerState { Terminated = Terminated(latest, runtime.RuntimeName) };
                // A plain init container that succeeded counts as ready.
                status.Ready = isInit && !IsSidecar(container) && latest.ExitCode == 0;
                break;
            default:
                status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = defaultWaiting } };
                break;
        }

        if (status.LastState.Terminated is null)
        {
            status.LastState = new V1ContainerState();
        }

        return status;
    }

    private static V1ContainerStateTerminated Terminated(RuntimeContainer container, string runtimeName) => new()
    {
        ExitCode = container.ExitCode,
        Reason = string.IsNullOrEmpty(container.Reason) ? (container.ExitCode == 0 ? "Completed" : "Error") : container.Reason,
        Message = string.IsNullOrEmpty(container.Message) ? null : container.Message,
        StartedAt = container.StartedAt is { } s ? Truncate(s) : null,
        FinishedAt = container.FinishedAt is { } f ? Truncate(f) : null,
        ContainerID = $"{runtimeName}://{container.Id}",
    };

    private static V1PodCondition InitializedCondition(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> initStatuses)
    {
        var incomplete = new List<string>();
        foreach (var init in spec.InitContainers ?? [])
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == init.Name);
            var done = IsSidecar(init) ? status?.Started == true : status?.State?.Terminated is { ExitCode: 0 };
            if (!done)
            {
                incomplete.Add(init.Name);
            }
        }

        return incomplete.Count == 0
            ? Condition("Initialized", "True", null, null)
            : Condition("Initialized", "False", "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incomplete)}]");
    }

    private static V1PodCondition ContainersReadyCondition(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> statuses, IReadOnlyList<V1ContainerStatus> initStatuses, string phase)
    {
        var unknown = new List<string>();
        var unready = new List<string>();
        foreach (var sidecar in (spec.InitContainers ?? []).Where(IsSidecar))
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == sidecar.Name);
            if (status?.State is null)
            {
                unknown.Add(sidecar.Name);
            }
            else if (!status.Ready)
            {
                unready.Add(sidecar.Name);
            }
        }

        foreach (var container in spec.Containers)
        {
            var status = statuses.FirstOrDefault(s => s.Name == container.Name);
            if (status?.State is null)
            {
                unknown.Add(container.Name);
            }
            else if (!status.Ready)
            {
                unready.Add(container.Name);
            }
        }

        if (phase == "Succeeded" && unknown.Count == 0)
        {
            return Condition("ContainersReady", "False", "PodCompleted", null);
        }

        var messages = new List<string>();
        if (unknown.Count > 0)
        {
            messages.Add($"containers with unknown status: [{string.Join(' ', unknown)}]");
        }

        if (unready.Count > 0)
        {
            messages.Add($"containers with unready status: [{string.Join(' ', unready)}]");
        }

        return messages.Count == 0
            ? Condition("ContainersReady", "True", null, null)
            : Condition("ContainersReady", "False", "ContainersNotReady", string.Join(", ", messages));
    }

    private static V1PodCondition ReadyCondition(V1PodSpec spec, V1PodCondition containersReady, V1PodStatus previous)
    {
        if (containersReady.Status != "True")
        {
            return Condition("Ready", "False", containersReady.Reason, containersReady.Message);
        }

        // Readiness gates: conditions other writers own must also be True.
        var unready = new List<string>();
        foreach (var gate in spec.ReadinessGates ?? [])
        {
            var condition = previous.Conditions?.FirstOrDefault(c => c.Type == gate.ConditionType);
            if (condition is null)
            {
                unready.Add($"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.");
            }
            else if (condition.Status != "True")
            {
                unready.Add($"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but {condition.Status}");
            }
        }

        return unready.Count == 0
            ? Condition("Ready", "True", null, null)
            : Condition("Ready", "False", "ReadinessGatesNotReady", string.Join(", ", unready));
    }

    private static V1PodCondition Condition(string type, string status, string? reason, string? message) =>
        new() { Type = type, Status = status, Reason = reason, Message = message };

    // As the status manager: a condition whose status did not change keeps its transition time.
    private static V1PodCondition KeepTransitionTime(V1PodCondition condition, V1PodStatus previous, DateTime now)
    {
        var before = previous.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
        condition.LastTransitionTime = before is not null && before.Status == condition.Status && before.LastTransitionTime is { } kept ? kept : now;
        if (condition.Type == "PodScheduled" && before?.LastTransitionTime is { } scheduled)
        {
            // Written by the scheduler (or at creation): the kubelet keeps it as it is.
            condition.LastTransitionTime = scheduled;
            condition.Status = before.Status == "True" ? "True" : condition.Status;
        }

        return condition;
    }
}
