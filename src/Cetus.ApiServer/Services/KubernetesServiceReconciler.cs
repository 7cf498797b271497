using Cetus.Api.Json;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.Services;

/// <summary>
/// Keeps the <c>kubernetes</c> Service in <c>default</c> and its Endpoints pointing at this API server, as
/// kube-apiserver's controlplane "kubernetes service" controller does: at start and every 10 s the Service (cluster IP
/// the first of the service range, port 443 named https to the secure port) and the Endpoints (the advertise address
/// and the secure port) are created when missing and put right when changed. One API server's address is written (as
/// upstream's master-count reconciler with one master).
/// </summary>
internal sealed partial class KubernetesServiceReconciler(ApiServerOptions options, ResourceRegistry registry, ObjectStore objects, TimeProvider time, ILogger<KubernetesServiceReconciler> logger) : IAsyncDisposable
{
    /// <summary>The Service's name.</summary>
    public const string Name = "kubernetes";

    /// <summary>How often it is checked (upstream's endpoint reconciler interval).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ResourceDefinition _services = registry.Find(string.Empty, "v1", "services")!;
    private readonly ResourceDefinition _endpoints = registry.Find(string.Empty, "v1", "endpoints")!;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <summary>Ensures both objects once, then keeps them every <see cref="Interval"/> until disposed.</summary>
    public async Task StartAsync(int securePort, CancellationToken cancellationToken)
    {
        await EnsureAsync(securePort, cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(securePort, _stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    /// <summary>The Service as it should be.</summary>
    public V1Service DesiredService(int securePort) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = "default", Labels = Labels() },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = options.ServiceNetwork.ClusterIPs.First,
            SessionAffinity = "None",
            Ports = [new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP", TargetPort = securePort }],
        },
    };

    /// <summary>The Endpoints as they should be.</summary>
    public V1Endpoints DesiredEndpoints(int securePort) => new()
    {
        ApiVersion = "v1",
        Kind = "Endpoints",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = "default",
            // The EndpointSlice mirroring controller leaves it to the API server.
            Labels = new Dictionary<string, string> { ["endpointslice.kubernetes.io/skip-mirror"] = "true" },
        },
        Subsets =
        [
            new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = AdvertiseAddress }],
                Ports = [new Corev1EndpointPort { Name = "https", Port = securePort, Protocol = "TCP" }],
            },
        ],
    };

    private string AdvertiseAddress => options.AdvertiseAddress
        ?? (options.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : options.BindAddress);

    private static Dictionary<string, string> Labels() => new() { ["component"] = "apiserver", ["provider"] = "kubernetes" };

    private async Task RunAsync(int securePort, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await EnsureAsync(securePort, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Errors.ApiException or Storage.StoreException)
            {
                LogFailed(logger, e.Message);
            }
        }
    }

    private async Task EnsureAsync(int securePort, CancellationToken cancellationToken)
    {
        var service = DesiredService(securePort);
        await EnsureAsync(_services, service, current =>
        {
            var spec = ((V1Service)current).Spec;
            if (spec?.Type == "ClusterIP" && spec.Ports is [{ Name: "https", Port: 443, Protocol: "TCP" } port] && port.TargetPort?.Value == securePort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return null;
            }

            // Ports or type changed: put them back, keeping the cluster IP it has (immutable).
            var fixedService = KubeJson.Deserialize<V1Service>(KubeJson.Serialize(current))!;
            fixedService.Spec ??= new V1ServiceSpec();
            fixedService.Spec.Type = "ClusterIP";
            fixedService.Spec.Ports = service.Spec.Ports;
            return fixedService;
        }, cancellationToken).ConfigureAwait(false);

        var endpoints = DesiredEndpoints(securePort);
        await EnsureAsync(_endpoints, endpoints, current =>
        {
            if (KubeJson.Serialize(((V1Endpoints)current).Subsets).AsSpan().SequenceEqual(KubeJson.Serialize(endpoints.Subsets)))
            {
                return null;
            }

            var fixedEndpoints = KubeJson.Deserialize<V1Endpoints>(KubeJson.Serialize(current))!;
            fixedEndpoints.Subsets = endpoints.Subsets;
            return fixedEndpoints;
        }, cancellationToken).ConfigureAwait(false);
    }

    // Creates the object when missing, or writes what fix returns for the stored one (null: it is right).
    private async Task EnsureAsync(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> desired, Func<IKubernetesObject<V1ObjectMeta>, IKubernetesObject<V1ObjectMeta>?> fix, CancellationToken cancellationToken)
    {
        var current = await objects.GetAsync(definition, "default", Name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            ObjectMetadata.PrepareForCreate(definition, desired, "default", time.GetUtcNow());
            definition.Strategy.PrepareForCreate(desired);
            definition.Strategy.Default(desired);
            try
            {
                await objects.CreateAsync(definition, desired, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ApiException e) when (e.Code == 409)
            {
                // Another API server on the same datastore made it first.
            }

            return;
        }

        if (fix(current.Item) is { } changed)
        {
            ObjectMetadata.PrepareForUpdate(definition, changed, current.Item);
            definition.Strategy.PrepareForUpdate(changed, current.Item);
            definition.Strategy.Default(changed);
            // A conflict means someone else wrote it a moment ago: the next round looks again.
            await objects.TryUpdateAsync(definition, current.Key, changed, current.Revision, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "keeping the kubernetes Service and Endpoints in default failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
