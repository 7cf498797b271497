using System.Globalization;
using Cetus.Api.Resources.Printing;
using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// The Ready, Status and Restarts cells of a pod, worked out from its phase, conditions and container states as
/// upstream's printPod does (Running, ContainerCreating, CrashLoopBackOff, Init:0/2, Completed, Terminating…).
/// </summary>
internal static class PodSummary
{
    private const string NodeLostReason = "NodeLost";

    public static (string Ready, string Status, string Restarts) Summarize(V1Pod pod, DateTimeOffset now)
    {
        var status = pod.Status;
        var phase = status?.Phase ?? string.Empty;
        var reason = string.IsNullOrEmpty(status?.Reason) ? phase : status.Reason;
        if (status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "SchedulingGated") == true)
        {
            reason = "SchedulingGated";
        }

        var initSpecs = pod.Spec?.InitContainers ?? [];
        var initByName = new Dictionary<string, V1Container>(StringComparer.Ordinal);
        foreach (var container in initSpecs)
        {
            initByName[container.Name] = container;
        }

        // Sidecars (restartable init containers) run beside the main containers, so they count towards Ready.
        var total = (pod.Spec?.Containers?.Count ?? 0) + initSpecs.Count(IsSidecar);
        var ready = 0;
        var restarts = 0;
        var sidecarRestarts = 0;
        DateTime? lastRestart = null;
        DateTime? lastSidecarRestart = null;

        var initializing = false;
        var initStatuses = status?.InitContainerStatuses ?? [];
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var sidecar = initByName.TryGetValue(container.Name, out var spec) && IsSidecar(spec);
            restarts += container.RestartCount;
            lastRestart = Latest(lastRestart, container.LastState?.Terminated?.FinishedAt);
            if (sidecar)
            {
                sidecarRestarts += container.RestartCount;
                lastSidecarRestart = Latest(lastSidecarRestart, container.LastState?.Terminated?.FinishedAt);
            }

            if (container.State?.Terminated is { ExitCode: 0 })
            {
                continue;
            }

            if (sidecar && container.Started == true)
            {
                ready += container.Ready ? 1 : 0;
                continue;
            }

            // The first init container still at work (or failed) names the status.
            reason = InitReason(container, i, initSpecs.Count);
            initializing = true;
            break;
        }

        if (!initializing || IsInitialized(status))
        {
            // Once initialized, restarts of init containers that ran to completion no longer count.
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = status?.ContainerStatuses ?? [];
            // Backwards, so the first container with a waiting or terminated reason has the last word.
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.RestartCount;
                lastRestart = Latest(lastRestart, container.LastState?.Terminated?.FinishedAt);
                var state = container.State;
                if (!string.IsNullOrEmpty(state?.Waiting?.Reason))
                {
                    reason = state.Waiting.Reason;
                }
                else if (state?.Terminated is { } terminated)
                {
                    reason = !string.IsNullOrEmpty(terminated.Reason) ? terminated.Reason : ExitReason(string.Empty, terminated);
                }
                else if (container.Ready && state?.Running is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }

            if (reason == "Completed" && hasRunning)
            {
                reason = status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? "Running" : "NotReady";
            }
        }

        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            if (status?.Reason == NodeLostReason)
            {
                reason = "Unknown";
            }
            else if (phase is not ("Succeeded" or "Failed"))
            {
                reason = "Terminating";
            }
        }

        var restartsText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestart is not null)
        {
            restartsText = string.Create(CultureInfo.InvariantCulture, $"{restarts} ({HumanDuration.Since(lastRestart, now)} ago)");
        }

        return (string.Create(CultureInfo.InvariantCulture, $"{ready}/{total}"), reason, restartsText);
    }

    private static string InitReason(V1ContainerStatus container, int index, int initContainers)
    {
        if (container.State?.Terminated is { } terminated)
        {
            return string.IsNullOrEmpty(terminated.Reason) ? ExitReason("Init:", terminated) : "Init:" + terminated.Reason;
        }

        if (container.State?.Waiting?.Reason is { Length: > 0 } waiting && waiting != "PodInitializing")
        {
            return "Init:" + waiting;
        }

        return string.Create(CultureInfo.InvariantCulture, $"Init:{index}/{initContainers}");
    }

    private static string ExitReason(string prefix, V1ContainerStateTerminated terminated) =>
        terminated.Signal is { } signal and not 0
            ? string.Create(CultureInfo.InvariantCulture, $"{prefix}Signal:{signal}")
            : string.Create(CultureInfo.InvariantCulture, $"{prefix}ExitCode:{terminated.ExitCode}");

    private static bool IsSidecar(V1Container container) => container.RestartPolicy == "Always";

    private static bool IsInitialized(V1PodStatus? status) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == "Initialized")?.Status == "True";

    private static DateTime? Latest(DateTime? current, DateTime? candidate)
    {
        if (candidate is not { } value || value == DateTime.MinValue)
        {
            return current;
        }

        return current is null || current.Value < value ? value : current;
    }
}
