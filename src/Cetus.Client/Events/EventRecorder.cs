using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Client.Events;

/// <summary>Records events about objects, as client-go's record.EventRecorder.</summary>
public interface IEventRecorder
{
    /// <summary>Records an event (type <c>Normal</c> or <c>Warning</c>) about <paramref name="involved"/>.</summary>
    void Event(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message);
}

/// <summary>
/// Records events about an object reference as given (the kubelet's container references carry a <c>fieldPath</c>,
/// its node reference the node name as uid), as client-go's EventRecorder with a prepared <c>ObjectReference</c>.
/// </summary>
public interface IEventSink
{
    /// <summary>Records an event (type <c>Normal</c> or <c>Warning</c>) about <paramref name="involved"/>.</summary>
    void Event(V1ObjectReference involved, string type, string reason, string message);
}

/// <summary>Records nothing (simulated nodes, tests that do not look at events).</summary>
public sealed class NullEventSink : IEventSink
{
    /// <summary>The instance.</summary>
    public static NullEventSink Instance { get; } = new();

    /// <inheritdoc/>
    public void Event(V1ObjectReference involved, string type, string reason, string message)
    {
    }
}

/// <summary>Event types.</summary>
public static class EventTypes
{
    /// <summary>Normal.</summary>
    public const string Normal = "Normal";

    /// <summary>Warning.</summary>
    public const string Warning = "Warning";
}

/// <summary>
/// Writes core/v1 Events in the background (never blocking the controller), correlated as Kubernetes does (see
/// <see cref="EventCorrelator"/>): the same object, type, reason and message again bumps <c>count</c> and
/// <c>lastTimestamp</c> of the existing event instead of creating a new one, so <c>kubectl describe</c> shows
/// <c>(x3 over 2m)</c>; similar events are combined, and a source writes at most 25 events about one object in a
/// burst. Events name
/// <c>source.component</c> and, when given, <c>source.host</c> (the kubelet's node name).
/// </summary>
public sealed class EventRecorder : IEventRecorder, IEventSink, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _component;
    private readonly string? _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<(V1ObjectReference Involved, string Type, string Reason, string Message)> _pending =
        Channel.CreateBounded<(V1ObjectReference, string, string, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly EventCorrelator _correlator;
    private readonly Task _writer;

    /// <summary>
    /// Creates a recorder whose events name <paramref name="component"/> (and <paramref name="host"/>, when given) as
    /// their source.
    /// </summary>
    public EventRecorder(IKubernetes client, string component, TimeProvider? time = null, ILogger? logger = null, string? host = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _component = component;
        _host = string.IsNullOrEmpty(host) ? null : host;
        _time = time ?? TimeProvider.System;
        _correlator = new EventCorrelator(_time);
        _logger = logger ?? NullLogger.Instance;
        _writer = Task.Run(WriteAsync);
    }

    /// <inheritdoc/>
    public void Event(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        var reference = new V1ObjectReference
        {
            ApiVersion = involved.ApiVersion,
            Kind = involved.Kind,
            Name = involved.Metadata?.Name,
            NamespaceProperty = involved.Metadata?.NamespaceProperty,
            Uid = involved.Metadata?.Uid,
            ResourceVersion = involved.Metadata?.ResourceVersion,
        };
        _pending.Writer.TryWrite((reference, type, reason, message));
    }

    /// <inheritdoc/>
    public void Event(V1ObjectReference involved, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        _pending.Writer.TryWrite((involved, type, reason, message));
    }

    /// <summary>Writes what is pending, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        await foreach (var (involved, type, reason, message) in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await WriteOneAsync(involved, type, reason, message).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
            {
                _logger.LogWarning("event {Reason} on {Kind} {Name} not written: {Error}", reason, involved.Kind, involved.Name, e.Message);
            }
        }
    }

    private async Task WriteOneAsync(V1ObjectReference involved, string type, string reason, string message)
    {
        var correlation = _correlator.Correlate(_component, _host, involved, type, reason, message);
        if (correlation.Skip)
        {
            return;
        }

        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var now = _time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        if (correlation.ExistingName is { } existing)
        {
            var patch = KubernetesJson.Serialize(new Dictionary<string, object>
            {
                ["count"] = correlation.Count,
                ["lastTimestamp"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["message"] = correlation.Message,
            });
            try
            {
                await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), existing, ns).ConfigureAwait(false);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Deleted meanwhile (events expire): write it anew.
            }
        }

        var name = $"{involved.Name}.{(_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000) + Random.Shared.Next(1_000_000):x}";
        await _client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = involved,
                Type = type,
                Reason = reason,
                Message = correlation.Message,
                Count = correlation.Count,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = _component, Host = _host },
                ReportingComponent = _component,
                ReportingInstance = _host ?? _component,
            },
            ns).ConfigureAwait(false);
        _correlator.Written(correlation.Key, name);
    }
}
