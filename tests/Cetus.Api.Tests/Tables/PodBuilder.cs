using k8s.Models;

namespace Cetus.Api.Tests.Tables;

/// <summary>Pods for table tests: a spec with named containers and a status built up state by state.</summary>
internal sealed class PodBuilder
{
    private readonly V1Pod _pod;

    public PodBuilder(string phase, params string[] containers)
    {
        _pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", CreationTimestamp = TableRow.Ago(TimeSpan.FromHours(1)) },
            Spec = new V1PodSpec { Containers = containers.Select(c => new V1Container { Name = c, Image = c + ":1" }).ToList() },
            Status = new V1PodStatus { Phase = phase, Conditions = [], ContainerStatuses = [], InitContainerStatuses = [] },
        };
    }

    public PodBuilder Init(string name, bool sidecar = false)
    {
        _pod.Spec.InitContainers ??= [];
        _pod.Spec.InitContainers.Add(new V1Container { Name = name, Image = name + ":1", RestartPolicy = sidecar ? "Always" : null });
        return this;
    }

    public PodBuilder Running(string name, bool ready = true, int restarts = 0) =>
        Container(name, new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = TableRow.Ago(TimeSpan.FromMinutes(30)) } }, ready, restarts);

    public PodBuilder Waiting(string name, string reason, int restarts = 0) =>
        Container(name, new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } }, false, restarts);

    public PodBuilder Terminated(string name, int exitCode, string? reason = null, int? signal = null) =>
        Container(name, new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason, Signal = signal } }, false, 0);

    public PodBuilder InitRunning(string name, bool started = true, bool ready = true, int restarts = 0) =>
        InitContainer(name, new V1ContainerState { Running = new V1ContainerStateRunning() }, started, ready, restarts);

    public PodBuilder InitWaiting(string name, string reason, int restarts = 0) =>
        InitContainer(name, new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } }, false, false, restarts);

    public PodBuilder InitTerminated(string name, int exitCode, string? reason = null, int? signal = null, int restarts = 0) =>
        InitContainer(name, new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason, Signal = signal } }, false, false, restarts);

    /// <summary>The last container status added died <paramref name="ago"/> before now.</summary>
    public PodBuilder LastTerminated(TimeSpan ago, bool init = false)
    {
        var statuses = init ? _pod.Status.InitContainerStatuses : _pod.Status.ContainerStatuses;
        statuses[^1].LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, FinishedAt = TableRow.Ago(ago) } };
        return this;
    }

    public PodBuilder Condition(string type, string status, string? reason = null)
    {
        _pod.Status.Conditions.Add(new V1PodCondition { Type = type, Status = status, Reason = reason });
        return this;
    }

    public PodBuilder Reason(string reason)
    {
        _pod.Status.Reason = reason;
        return this;
    }

    public PodBuilder Deleting()
    {
        _pod.Metadata.DeletionTimestamp = TableRow.Ago(TimeSpan.FromSeconds(10));
        return this;
    }

    public V1Pod Build() => _pod;

    private PodBuilder Container(string name, V1ContainerState state, bool ready, int restarts)
    {
        _pod.Status.ContainerStatuses.Add(new V1ContainerStatus { Name = name, Image = name + ":1", ImageID = string.Empty, State = state, Ready = ready, RestartCount = restarts });
        return this;
    }

    private PodBuilder InitContainer(string name, V1ContainerState state, bool started, bool ready, int restarts)
    {
        _pod.Status.InitContainerStatuses.Add(new V1ContainerStatus { Name = name, Image = name + ":1", ImageID = string.Empty, State = state, Started = started, Ready = ready, RestartCount = restarts });
        return this;
    }
}
