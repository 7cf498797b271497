using System.Diagnostics;
using Cetus.Client.Events;
using Cetus.Scheduler;
using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Decisions;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using k8s;
using k8s.Models;

namespace Cetus.Bench.Scheduler;

/// <summary>
/// The scheduler's own work for one pod, without the API server (<c>--cycle</c>): the default profile over N nodes
/// shaped as the hollow nodes (4 cpu, 16Gi, 110 pods), each pod taken from the queue, filtered and scored (the
/// decision recorded, as the server keeps it for <c>cetus explain</c>), assumed, bound by a client that answers at once,
/// then seen bound as the informer would report it. The pods are the benchmark's pods as the API server stores them
/// (defaulted tolerations). Prints the wall and CPU time per pod and what it allocates: the part of the full
/// benchmark's server CPU per pod that the scheduling algorithm takes, measured apart from the machine's other work.
/// </summary>
internal static class CycleBenchmark
{
    public static async Task RunAsync(IReadOnlyList<(int Nodes, int Pods)> sizes, int warmupPods, int runs)
    {
        Console.WriteLine("| nodes | pods per run | µs per pod: median wall (min–max) | µs CPU per pod | KB allocated per pod | GCs gen0 / gen1 / gen2 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (nodes, pods) in sizes)
        {
            var cycle = new Cycle(nodes);
            cycle.Schedule("warmup", warmupPods);
            var measured = new List<(double Wall, double Cpu, double Allocated, int[] Gcs)>();
            for (var run = 1; run <= runs; run++)
            {
                var gcs = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                cycle.Schedule($"run-{run}", pods);
                clock.Stop();
                measured.Add((
                    clock.Elapsed.TotalMicroseconds / pods,
                    (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / pods,
                    (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / pods,
                    [GC.CollectionCount(0) - gcs[0], GC.CollectionCount(1) - gcs[1], GC.CollectionCount(2) - gcs[2]]));
                Console.Error.WriteLine($"cycle {nodes} nodes, run {run}: {measured[^1].Wall:0} µs per pod");
            }

            var median = measured.OrderBy(m => m.Wall).ElementAt(measured.Count / 2);
            Console.WriteLine($"| {nodes:N0} | {pods:N0} | {median.Wall:0} ({measured.Min(m => m.Wall):0}–{measured.Max(m => m.Wall):0}) | {median.Cpu:0} | {median.Allocated:0.0} | {string.Join(" / ", median.Gcs)} |");
            await cycle.DisposeAsync();
        }
    }

    private sealed class Cycle : IAsyncDisposable
    {
        private readonly Cetus.Scheduler.Scheduler _scheduler;
        private readonly SchedulingQueue _queue;
        private readonly Client _client = new();
        private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);

        public Cycle(int nodes)
        {
            var profiles = ProfileBuilder.Build(null, PluginRegistry.InTree(), new PluginContext(_client));
            var events = profiles[0].AllPlugins.OfType<IEnqueueExtensions>().ToDictionary(p => p.Name, p => p.EventsToRegister());
            _queue = new SchedulingQueue(profiles[0].QueueSort.Less, _ => profiles[0].PreEnqueue, events, TimeProvider.System);
            _scheduler = new Cetus.Scheduler.Scheduler(profiles, new SchedulerCache(), _queue, _client, new NoEvents(), key => _pods.GetValueOrDefault(key), decisions: new SchedulingDecisions());
            for (var i = 0; i < nodes; i++)
            {
                _scheduler.OnNodeAdd(Node($"hollow-{i:D5}"));
            }
        }

        public void Schedule(string prefix, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var pod = Pod(prefix, i);
                var key = $"bench/{pod.Metadata.Name}";
                _pods[key] = pod;
                _scheduler.OnPodAdd(pod);
                var info = _queue.PopAsync(CancellationToken.None).GetAwaiter().GetResult()
                    ?? throw new InvalidOperationException("the queue closed");
                _scheduler.ScheduleOne(info, CancellationToken.None);
                _scheduler.WaitForBindingsAsync().GetAwaiter().GetResult();
                if (_client.Bound is not { } node || _client.BoundPod?.Metadata.Name != pod.Metadata.Name)
                {
                    throw new InvalidOperationException($"pod {key} was not bound: {_scheduler.Queue.WhereIs(key)}");
                }

                // What the informer reports next: the pod as the binding left it.
                var bound = Pod(prefix, i);
                bound.Spec.NodeName = node;
                bound.Metadata.ResourceVersion = "2";
                _pods[key] = bound;
                _scheduler.OnPodUpdate(pod, bound);
                _client.Bound = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Close();
            await _scheduler.WaitForBindingsAsync();
        }

        private static V1Node Node(string name)
        {
            var allocatable = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new("4"),
                ["memory"] = new("16Gi"),
                ["pods"] = new("110"),
                ["ephemeral-storage"] = new("100Gi"),
            };
            return new V1Node
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "amd64" },
                },
                Spec = new V1NodeSpec(),
                Status = new V1NodeStatus { Allocatable = allocatable, Capacity = allocatable, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
            };
        }

        private static V1Pod Pod(string prefix, int index) => new()
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = $"{prefix}-{index}", NamespaceProperty = "bench", Uid = $"{prefix}-{index}-uid", ResourceVersion = "1", Labels = new Dictionary<string, string> { ["app"] = "bench" } },
            Spec = new V1PodSpec
            {
                SchedulerName = "default-scheduler",
                Priority = 0,
                Containers =
                [
                    new V1Container
                    {
                        Name = "pause",
                        Image = "registry.k8s.io/pause:3.10",
                        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("500Mi") } },
                    },
                ],
                // What the API server's DefaultTolerationSeconds admission adds to every pod.
                Tolerations =
                [
                    new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                    new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                ],
            },
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    // Bindings succeed at once; the last one is kept for the loop to check.
    private sealed class Client : ISchedulerClient
    {
        public V1Pod? BoundPod { get; private set; }

        public string? Bound { get; set; }

        public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken)
        {
            (BoundPod, Bound) = (pod, nodeName);
            return Task.CompletedTask;
        }

        public Task SetPodScheduledConditionAsync(V1Pod pod, V1PodCondition condition, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NoEvents : IEventRecorder
    {
        public void Event(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
        {
        }
    }
}
