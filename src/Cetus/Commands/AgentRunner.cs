using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Cri.Remote;
using Cetus.Kubelet;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Logs;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Objects;
using Cetus.Kubelet.Server;
using Grpc.Core;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Cetus.Commands;

/// <summary>What a local kubelet runs with (<c>cetus agent</c> and the agent inside <c>cetus up</c>).</summary>
/// <param name="NodeName">The node's name.</param>
/// <param name="RuntimeEndpoint">The CRI socket, unix:///PATH or a plain path.</param>
/// <param name="RootDir">The kubelet's directory (its filesystem is the node's ephemeral-storage).</param>
/// <param name="NodeIP">The node's InternalIP.</param>
internal sealed record AgentSettings(string NodeName, string RuntimeEndpoint, string RootDir, string NodeIP)
{
    /// <summary>The kubelet server's port (on <see cref="NodeIP"/>).</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>A container's log is rotated once it is this large (the kubelet's containerLogMaxSize, 10Mi).</summary>
    public long ContainerLogMaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>Unsafe sysctls (names or patterns ending in *) pods may set (--allowed-unsafe-sysctls).</summary>
    public IReadOnlyList<string> AllowedUnsafeSysctls { get; init; } = [];

    /// <summary>Image garbage collection (--image-gc-high-threshold, --image-gc-low-threshold, --image-minimum-gc-age).</summary>
    public Cetus.Kubelet.Images.ImageGCPolicy ImageGC { get; init; } = new();
}

/// <summary>The kubelet server's certificates: its own serving certificate and the CA the API server's client certificate chains to.</summary>
/// <param name="Certificate">The serving certificate with its key (CN system:node:NAME).</param>
/// <param name="ClientAuthority">The cluster CA.</param>
internal sealed record KubeletServing(X509Certificate2 Certificate, X509Certificate2 ClientAuthority);

/// <summary>
/// Runs one real node against an API server: connects to the container runtime over CRI (failing with what to do
/// when it is not there), reads the node's facts from the machine, registers the Node and runs a
/// <see cref="KubeletHost"/> until stopped, printing progress.
/// </summary>
internal static class AgentRunner
{
    /// <summary>The CRI socket of the containerd that scripts/runtime.sh runs.</summary>
    public const string DefaultRuntimeEndpoint = RuntimeEndpoint.Default;

    /// <summary>The sandbox (pause) image scripts/runtime.sh builds and sets as containerd's sandbox_image: never garbage collected.</summary>
    public const string SandboxImage = "localhost/cetus/pause:3.10";

    /// <summary>The default node name: the host name, lowercased (as the kubelet's --hostname-override default).</summary>
    public static string DefaultNodeName() => Dns.GetHostName().ToLowerInvariant();

    /// <summary>True when the endpoint is a unix socket path that exists.</summary>
    public static bool SocketExists(string endpoint)
    {
        try
        {
            return File.Exists(RuntimeEndpoint.SocketPath(endpoint));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Connects to the runtime and asks for its version; null (with what to do on <paramref name="error"/>) when it
    /// does not answer within 10 s.
    /// </summary>
    public static async Task<RemoteRuntime?> ConnectAsync(string endpoint, TextWriter error, CancellationToken cancellationToken)
    {
        string socket;
        try
        {
            socket = RuntimeEndpoint.SocketPath(endpoint);
        }
        catch (FormatException e)
        {
            error.WriteLine("cetus: " + e.Message);
            return null;
        }

        var runtime = new RemoteRuntime(socket);
        string problem;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await runtime.VersionAsync(timeout.Token).ConfigureAwait(false);
            return runtime;
        }
        catch (RpcException e)
        {
            problem = File.Exists(socket) ? $"{e.Status.StatusCode}: {e.Status.Detail}" : "the socket does not exist";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = "no answer in 10 s";
        }

        runtime.Dispose();
        error.WriteLine($"cetus: the container runtime at {endpoint} is not reachable ({problem}). Start containerd (scripts/runtime.sh start; ./run.sh does it) or point --container-runtime-endpoint at a running CRI runtime.");
        return null;
    }

    /// <summary>
    /// Registers the node and runs its kubelet until <paramref name="cancellationToken"/> is cancelled. Prints
    /// "node NAME registered" and "node NAME Ready in X.X s" (counted from the process's start), then calls
    /// <paramref name="onReady"/> once.
    /// </summary>
    public static async Task<int> RunAsync(IKubernetes client, RemoteRuntime runtime, AgentSettings settings, KubeletServing? serving, TextWriter output, TextWriter error, Action? onReady, CancellationToken cancellationToken)
    {
        var facts = MachineInfo.Read(settings.RootDir);
        var config = new NodeConfig
        {
            Name = settings.NodeName,
            Capacity = facts.Capacity(),
            InternalIP = settings.NodeIP,
            Hostname = Dns.GetHostName(),
            Architecture = facts.Architecture,
            KernelVersion = facts.KernelVersion,
            OSImage = facts.OSImage,
            MachineId = string.IsNullOrEmpty(facts.MachineId) ? Guid.NewGuid().ToString("N") : facts.MachineId,
            BootId = string.IsNullOrEmpty(facts.BootId) ? null : facts.BootId,
            // Volumes, /etc/hosts and termination messages live under it. No cluster DNS service exists yet: pods
            // with dnsPolicy ClusterFirst get the host's resolver configuration (as the kubelet does without one).
            RootDirectory = settings.RootDir,
            KubeletPort = settings.KubeletPort,
            AllowedUnsafeSysctls = settings.AllowedUnsafeSysctls,
        };

        using var loggers = ControllerManagerCommand.CreateLoggers();
        await using var server = serving is null ? null : await StartServerAsync(settings, serving, runtime, loggers, error, cancellationToken).ConfigureAwait(false);
        if (serving is not null && server is null)
        {
            return 1;
        }

        // The kubelet's events (pods and node), aggregated as client-go's recorder; source kubelet on this node.
        await using var events = new EventRecorder(client, KubeletEvents.Component, logger: loggers.CreateLogger<EventRecorder>(), host: config.Name);
        await using var kubelet = new KubeletHost(config, runtime, new KubernetesKubeletClient(client), ListWatches.PodsOnNode(client, config.Name), new KubeletHostOptions { ImageGC = settings.ImageGC, SandboxImage = SandboxImage }, loggers: loggers, events: events, services: ListWatches.Services(client), objects: PodObjectListWatches.For(client));
        var probe = new NodeHealthProbe(runtime, () => MachineInfo.ReadSignals(settings.RootDir));
        kubelet.Agent.Health = probe.CheckAsync;
        try
        {
            await kubelet.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            error.WriteLine($"cetus: node {config.Name} could not register: {(int)e.Response.StatusCode} {e.Response.Content}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"cetus: node {config.Name} could not reach the API server: {e.Message}");
            return 1;
        }

        output.WriteLine($"cetus: node {config.Name} registered (InternalIP {config.InternalIP}, {facts.Cpus} cpu, {facts.MemoryKi / 1024} Mi memory, runtime {kubelet.Agent.Reporter!.RuntimeVersion})");
        output.Flush();
        var run = kubelet.RunAsync(cancellationToken);
        // Container logs are rotated past --container-log-max-size (the kubelet's container log manager).
        var rotation = new ContainerLogManager(runtime, new ContainerLogRotation { MaxSize = settings.ContainerLogMaxSize }, logger: loggers.CreateLogger<ContainerLogManager>()).RunAsync(cancellationToken);
        try
        {
            await WaitReadyAsync(client, config.Name, probe, output, cancellationToken).ConfigureAwait(false);
            var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
            output.WriteLine($"cetus: node {config.Name} Ready in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            onReady?.Invoke();
            output.Flush();
            var (before, after) = StartupMemory.Release();
            if (before > 0 && after > 0)
            {
                output.WriteLine($"cetus: start-up memory given back: resident {before >> 20} → {after >> 20} MB");
                output.Flush();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await run.ConfigureAwait(false);
        await rotation.ConfigureAwait(false);
        output.WriteLine($"cetus: node {config.Name} stopping (its pods keep running and are adopted at the next start)");
        return 0;
    }

    // The kubelet's HTTPS server on the node IP; null (with what to do) when the port is taken.
    private static async Task<KubeletServer?> StartServerAsync(AgentSettings settings, KubeletServing serving, RemoteRuntime runtime, ILoggerFactory loggers, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await KubeletServer.StartAsync(new KubeletServerOptions
            {
                NodeName = settings.NodeName,
                BindAddress = settings.NodeIP,
                Port = settings.KubeletPort,
                ServingCertificate = serving.Certificate,
                ClientCertificateAuthority = serving.ClientAuthority,
            }, runtime, loggers: loggers, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"cetus: the kubelet port {settings.KubeletPort} on {settings.NodeIP} is in use (another kubelet?): stop it or pass --kubelet-port");
            return null;
        }
    }

    // The Node as the API server has it, until its Ready condition is True; says once why it is not.
    private static async Task WaitReadyAsync(IKubernetes client, string name, NodeHealthProbe probe, TextWriter output, CancellationToken cancellationToken)
    {
        string? said = null;
        while (true)
        {
            try
            {
                var node = await client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "True" })
                {
                    return;
                }
            }
            catch (HttpOperationException)
            {
            }

            var health = await probe.CheckAsync(cancellationToken).ConfigureAwait(false);
            if (health.NotReadyMessage is { } message && message != said)
            {
                output.WriteLine($"cetus: node {name} not Ready: {message}");
                output.Flush();
                said = message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }
}
