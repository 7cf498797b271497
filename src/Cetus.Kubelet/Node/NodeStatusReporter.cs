using Cetus.Client.Events;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Events;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Node;

/// <summary>
/// Registers one node and keeps its status current, as Kubernetes' kubelet does with Leases on: the status is computed
/// every nodeStatusUpdateFrequency (10 s, the caller's ticker) but written only when it changed or
/// <see cref="ReportInterval"/> (nodeStatusReportFrequency, 5 minutes) has passed; liveness comes from the Lease.
/// Condition changes are recorded as the kubelet's node events (upstream's nodestatus setters): at registration
/// NodeHasSufficientMemory, NodeHasNoDiskPressure and NodeHasSufficientPID (or their pressure forms), later each
/// pressure transition and each Ready transition (NodeReady / NodeNotReady).
/// </summary>
public sealed class NodeStatusReporter
{
    /// <summary>Unchanged statuses are still reported this often.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(5);

    private readonly IKubeletClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _runtimeReady;
    private readonly Func<CancellationToken, Task<NodeHealth>>? _health;
    private readonly IEventSink _events;
    private V1NodeStatus? _reported;
    private DateTimeOffset _reportedAt;

    /// <summary>
    /// Creates a reporter for <paramref name="config"/>; <paramref name="runtimeReady"/> says whether the runtime
    /// answers, or, when given, <paramref name="health"/> evaluates the conditions (runtime and network readiness,
    /// memory, disk and PID pressure) at each report.
    /// </summary>
    public NodeStatusReporter(NodeConfig config, string runtimeVersion, IKubeletClient client, Func<bool>? runtimeReady = null, TimeProvider? time = null, ILogger? logger = null, Func<CancellationToken, Task<NodeHealth>>? health = null, IEventSink? events = null)
    {
        _health = health;
        _events = events ?? NullEventSink.Instance;
        Config = config ?? throw new ArgumentNullException(nameof(config));
        RuntimeVersion = runtimeVersion;
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _runtimeReady = runtimeReady ?? (() => true);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The node's configuration.</summary>
    public NodeConfig Config { get; }

    /// <summary>The container runtime version reported in nodeInfo (e.g. containerd://1.6.20).</summary>
    public string RuntimeVersion { get; }

    /// <summary>The node's uid once registered (the Lease's owner).</summary>
    public string? Uid { get; private set; }

    /// <summary>
    /// Creates the Node, or when it exists already (a restart) brings its labels, taints and status up to date;
    /// as the kubelet, never deletes it.
    /// </summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var node = NodeBuilder.Build(Config, RuntimeVersion, now);
        if (_health is not null)
        {
            node.Status = NodeBuilder.Status(Config, RuntimeVersion, await _health(cancellationToken).ConfigureAwait(false), now, previous: null);
        }
        try
        {
            var created = await _client.CreateNodeAsync(node, cancellationToken).ConfigureAwait(false);
            Uid = created.Metadata.Uid;
            _reported = created.Status;
            _reportedAt = _time.GetUtcNow();
            if (created.Status?.Conditions is null or { Count: 0 })
            {
                // A server that drops status on create: report it now (its events with it).
                await ReportAsync(force: true, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RecordConditionEvents(null, created.Status);
            }

            return;
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            _logger.LogInformation("node {Node} exists: updating it", Config.Name);
        }

        var existing = await _client.GetNodeAsync(Config.Name, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"node {Config.Name} exists but cannot be read");
        var patch = KubernetesJson.Serialize(new { metadata = new { labels = node.Metadata.Labels } });
        existing = await _client.PatchNodeAsync(Config.Name, patch, cancellationToken).ConfigureAwait(false);
        Uid = existing.Metadata.Uid;
        // As upstream, whose initial node has no conditions: every start records the pressure conditions; the report
        // below records what changed since the last run (Ready again after the node controller set Unknown).
        RecordConditionEvents(null, node.Status, pressuresOnly: true);
        _reported = existing.Status;
        await ReportAsync(force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Computes the status and writes it when it changed (a condition's status, capacity, addresses, …) or when
    /// <see cref="ReportInterval"/> has passed since the last write (or when <paramref name="force"/>).
    /// </summary>
    /// <returns>True when a status was written.</returns>
    public async Task<bool> ReportAsync(bool force, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var status = _health is null
            ? NodeBuilder.Status(Config, RuntimeVersion, _runtimeReady(), now.UtcDateTime, _reported)
            : NodeBuilder.Status(Config, RuntimeVersion, await _health(cancellationToken).ConfigureAwait(false), now.UtcDateTime, _reported);
        if (!force && now - _reportedAt < ReportInterval && !Changed(_reported, status))
        {
            return false;
        }

        var patch = KubernetesJson.Serialize(new { status });
        var node = await _client.PatchNodeStatusAsync(Config.Name, patch, cancellationToken).ConfigureAwait(false);
        RecordConditionEvents(_reported, status);
        _reported = node.Status ?? status;
        _reportedAt = now;
        return true;
    }

    // The events of the conditions that changed from before to after (upstream's setters: a pressure condition's event
    // when it is new or flips; Ready's only when it flips).
    private void RecordConditionEvents(V1NodeStatus? before, V1NodeStatus? after, bool pressuresOnly = false)
    {
        foreach (var condition in after?.Conditions ?? [])
        {
            var old = before?.Conditions?.FirstOrDefault(c => c.Type == condition.Type)?.Status;
            if (old == condition.Status)
            {
                continue;
            }

            var reason = (condition.Type, condition.Status == "True") switch
            {
                ("MemoryPressure", true) => "NodeHasInsufficientMemory",
                ("MemoryPressure", false) => "NodeHasSufficientMemory",
                ("DiskPressure", true) => "NodeHasDiskPressure",
                ("DiskPressure", false) => "NodeHasNoDiskPressure",
                ("PIDPressure", true) => "NodeHasInsufficientPID",
                ("PIDPressure", false) => "NodeHasSufficientPID",
                ("Ready", var ready) when old is not null && !pressuresOnly => ready ? EventReasons.NodeReady : EventReasons.NodeNotReady,
                _ => null,
            };
            if (reason is not null)
            {
                _events.NodeStatus(Config.Name, reason);
            }
        }
    }

    // Changed apart from heartbeat times.
    private static bool Changed(V1NodeStatus? before, V1NodeStatus after)
    {
        if (before is null)
        {
            return true;
        }

        static string Key(V1NodeStatus s) => KubernetesJson.Serialize(new
        {
            capacity = s.Capacity,
            allocatable = s.Allocatable,
            conditions = s.Conditions?.Select(c => (c.Type, c.Status, c.Reason)).OrderBy(c => c.Type, StringComparer.Ordinal).Select(c => $"{c.Type}={c.Status}/{c.Reason}"),
            addresses = s.Addresses?.Select(a => $"{a.Type}={a.Address}"),
            runtime = s.NodeInfo?.ContainerRuntimeVersion,
        });

        return Key(before) != Key(after);
    }
}
