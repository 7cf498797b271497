using Cetus.Client.Events;
using Cetus.Scheduler.Framework;
using k8s;
using k8s.Models;

namespace Cetus.Scheduler.Tests;

/// <summary>Test objects.</summary>
internal static class Build
{
    public static V1Node Node(string name, string cpu = "4", string memory = "8Gi", string pods = "110", Dictionary<string, string>? labels = null, IList<V1Taint>? taints = null, Dictionary<string, string>? extra = null)
    {
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu),
            ["memory"] = new(memory),
            ["pods"] = new(pods),
            ["ephemeral-storage"] = new("100Gi"),
        };
        foreach (var (k, v) in extra ?? [])
        {
            allocatable[k] = new ResourceQuantity(v);
        }

        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus { Allocatable = allocatable, Capacity = allocatable, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        };
    }

    public static V1Container Container(string name = "c", string? cpu = null, string? memory = null, Dictionary<string, string>? extra = null, string? restartPolicy = null, params int[] hostPorts)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
        }

        foreach (var (k, v) in extra ?? [])
        {
            requests[k] = new ResourceQuantity(v);
        }

        return new V1Container
        {
            Name = name,
            Image = "busybox",
            RestartPolicy = restartPolicy,
            Resources = new V1ResourceRequirements { Requests = requests },
            Ports = hostPorts.Length == 0 ? null : [.. hostPorts.Select(p => new V1ContainerPort { ContainerPort = p, HostPort = p })],
        };
    }

    public static V1Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default", int? priority = null, string? nodeName = null)
    {
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = "uid-" + name, Labels = new Dictionary<string, string>() },
            Spec = new V1PodSpec { Containers = [Container(cpu: cpu, memory: memory)], Priority = priority, NodeName = nodeName },
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    public static NodeInfo Info(V1Node node, params V1Pod[] pods)
    {
        var info = new NodeInfo(node);
        foreach (var pod in pods)
        {
            pod.Spec.NodeName = node.Metadata.Name;
            info.AddPod(new PodInfo(pod));
        }

        return info;
    }
}

/// <summary>A clock that moves only when told; its timers fire (in order) when <see cref="Advance"/> passes them.</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>How many timers are armed.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset end;
        lock (_lock)
        {
            end = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = end;
                    return;
                }

                _now = next.Due!.Value;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }

            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTime clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }

                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Records events.</summary>
internal sealed class FakeEvents : IEventRecorder
{
    public List<string> Recorded { get; } = [];

    public void Event(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        lock (Recorded)
        {
            Recorded.Add($"{type} {reason} {message}");
        }
    }
}

/// <summary>Records bindings and conditions; fails bindings while <see cref="FailBinds"/> is set.</summary>
internal sealed class FakeSchedulerClient : ISchedulerClient
{
    public List<(string Pod, string Node)> Bindings { get; } = [];

    public List<(string Pod, V1PodCondition Condition)> Conditions { get; } = [];

    public List<(string Pod, string? Node)> Nominations { get; } = [];

    public List<string> Deleted { get; } = [];

    public bool FailBinds { get; set; }

    public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        if (FailBinds)
        {
            throw new HttpRequestException("connection refused");
        }

        lock (Bindings)
        {
            Bindings.Add((pod.Metadata.Name, nodeName));
        }

        return Task.CompletedTask;
    }

    public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken)
    {
        lock (Nominations)
        {
            Nominations.Add((pod.Metadata.Name, nodeName));
        }

        return Task.CompletedTask;
    }

    public Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        lock (Deleted)
        {
            Deleted.Add(pod.Metadata.Name);
        }

        return Task.CompletedTask;
    }

    public Task SetPodScheduledConditionAsync(V1Pod pod, V1PodCondition condition, CancellationToken cancellationToken)
    {
        lock (Conditions)
        {
            Conditions.Add((pod.Metadata.Name, condition));
        }

        return Task.CompletedTask;
    }
}
