using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cetus.Cri;
using Grpc.Core;
using k8s.Models;

namespace Cetus.Kubelet.Probes;

/// <summary>What one probe or hook action gave.</summary>
/// <param name="Success">True when it succeeded.</param>
/// <param name="Message">Why it failed (or a warning), for logs and events.</param>
public sealed record ActionResult(bool Success, string Message)
{
    /// <summary>Succeeded.</summary>
    public static ActionResult Ok { get; } = new(true, string.Empty);
}

/// <summary>
/// Runs the actions of probes and lifecycle hooks against one container, as Kubernetes' prober (pkg/probe/exec, http,
/// tcp) and handler runner (pkg/kubelet/lifecycle) do: exec through CRI ExecSync with the timeout; httpGet to
/// host (default the pod IP) and port (a number, or a name resolved from the container's ports), with the path,
/// scheme and headers given, User-Agent <c>kube-probe/1.32</c> and Accept <c>*/*</c> unless given, no keep-alive,
/// certificates not verified (as upstream), redirects followed only to the same host (a redirect elsewhere is
/// returned as is: a 3xx, success with a warning); a status of 200–399 succeeds; tcpSocket connects within the
/// timeout; sleep waits; grpc calls grpc.health.v1 Health/Check on the pod IP (<see cref="GrpcProber"/>). With
/// <paramref name="simulatedNetwork"/> (simulated nodes, whose pod IPs lead nowhere) httpGet, tcpSocket and grpc
/// actions succeed without a connection.
/// </summary>
public sealed class HandlerRunner(IContainerRuntime runtime, TimeProvider? time = null, HttpMessageHandler? httpHandler = null, bool simulatedNetwork = false)
{
    /// <summary>The User-Agent of probes (the kubelet sends kube-probe/MAJOR.MINOR).</summary>
    public const string UserAgent = "kube-probe/1.32";

    private const int MaxRedirects = 10;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // One client for every runner of the process (hollow nodes run thousands of kubelets).
    private static readonly Lazy<HttpClient> SharedHttp = new(() => NewClient(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    }));

    private readonly HttpClient? _ownHttp = httpHandler is null ? null : NewClient(httpHandler);

    private HttpClient Http => _ownHttp ?? SharedHttp.Value;

    /// <summary>Runs a probe's action.</summary>
    public Task<ActionResult> ProbeAsync(V1Probe probe, V1Container container, string? podIP, string containerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        if (probe.Exec is { } exec)
        {
            return ExecAsync(exec, containerId, timeout, cancellationToken);
        }

        if (simulatedNetwork && (probe.HttpGet is not null || probe.TcpSocket is not null || probe.Grpc is not null))
        {
            return Task.FromResult(ActionResult.Ok);
        }

        if (probe.HttpGet is { } http)
        {
            return HttpAsync(http, container, podIP, timeout, checkStatus: true, cancellationToken);
        }

        if (probe.TcpSocket is { } tcp)
        {
            return TcpAsync(tcp, container, podIP, timeout, cancellationToken);
        }

        if (probe.Grpc is { } grpc)
        {
            return string.IsNullOrEmpty(podIP)
                ? Task.FromResult(new ActionResult(false, "no host to probe: the pod has no IP"))
                : GrpcProber.CheckAsync(podIP, grpc.Port, grpc.Service, timeout, cancellationToken);
        }

        // An empty probe, which validation refuses.
        return Task.FromResult(new ActionResult(false, "invalid probe: no action"));
    }

    /// <summary>
    /// Runs a lifecycle hook's action with at most <paramref name="timeout"/> (the hook's share of the grace period for
    /// preStop). As upstream's handler runner, an httpGet hook fails only when the request fails, whatever the status.
    /// </summary>
    public async Task<ActionResult> HookAsync(V1LifecycleHandler handler, V1Container container, string? podIP, string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        // No limit (postStart) is an infinite timeout.
        if (timeout <= TimeSpan.Zero)
        {
            timeout = Timeout.InfiniteTimeSpan;
        }

        if (handler.Exec is { } exec)
        {
            return await ExecAsync(exec, containerId, timeout, cancellationToken).ConfigureAwait(false);
        }

        if (handler.HttpGet is { } http)
        {
            if (simulatedNetwork)
            {
                return ActionResult.Ok;
            }

            return await HttpAsync(http, container, podIP, timeout, checkStatus: false, cancellationToken).ConfigureAwait(false);
        }

        if (handler.Sleep is { } sleep)
        {
            var seconds = TimeSpan.FromSeconds(Math.Max(0, sleep.Seconds));
            await Task.Delay(timeout == Timeout.InfiniteTimeSpan || seconds < timeout ? seconds : timeout, _time, cancellationToken).ConfigureAwait(false);
            return ActionResult.Ok;
        }

        if (handler.TcpSocket is not null)
        {
            // Deprecated in hooks and never run by the kubelet.
            return ActionResult.Ok;
        }

        return new ActionResult(false, "invalid handler: no action");
    }

    private static HttpClient NewClient(HttpMessageHandler handler) => new(handler) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Resolves a probe or hook port: a number, or the name of one of the container's ports.</summary>
    public static int? ResolvePort(IntOrString? port, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var value = port?.Value;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and <= 65535 ? number : null;
        }

        return (container.Ports ?? []).FirstOrDefault(p => p.Name == value)?.ContainerPort;
    }

    private async Task<ActionResult> ExecAsync(V1ExecAction exec, string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var seconds = timeout == Timeout.InfiniteTimeSpan ? 0 : (long)Math.Ceiling(timeout.TotalSeconds);
            var response = await runtime.ExecSyncAsync(containerId, [.. exec.Command ?? []], seconds, cancellationToken).ConfigureAwait(false);
            if (response.ExitCode == 0)
            {
                return ActionResult.Ok;
            }

            var output = (response.Stdout.ToStringUtf8() + response.Stderr.ToStringUtf8()).Trim();
            return new ActionResult(false, string.Create(CultureInfo.InvariantCulture, $"command \"{string.Join(' ', exec.Command ?? [])}\" exited with {response.ExitCode}: {output}"));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return new ActionResult(false, string.Create(CultureInfo.InvariantCulture, $"command \"{string.Join(' ', exec.Command ?? [])}\" timed out"));
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ActionResult(false, $"exec failed: {e.Status.Detail}");
        }
    }

    private async Task<ActionResult> HttpAsync(V1HTTPGetAction action, V1Container container, string? podIP, TimeSpan timeout, bool checkStatus, CancellationToken cancellationToken)
    {
        var host = string.IsNullOrEmpty(action.Host) ? podIP : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            return new ActionResult(false, "no host to probe: the pod has no IP");
        }

        if (ResolvePort(action.Port, container) is not { } port)
        {
            return new ActionResult(false, $"unable to resolve port {action.Port?.Value}");
        }

        var scheme = string.Equals(action.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path.StartsWith('/') ? action.Path : "/" + action.Path;
        var hostPart = IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{hostPart}:{port}{path}"), UriKind.Absolute, out var url))
        {
            return new ActionResult(false, $"invalid URL for host {host} and path {path}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var first = url;
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.ConnectionClose = true;
                foreach (var header in action.HttpHeaders ?? [])
                {
                    if (string.Equals(header.Name, "Host", StringComparison.OrdinalIgnoreCase))
                    {
                        request.Headers.Host = header.Value;
                    }
                    else
                    {
                        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                    }
                }

                if (!request.Headers.Contains("User-Agent"))
                {
                    request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                }

                if (!request.Headers.Contains("Accept"))
                {
                    request.Headers.TryAddWithoutValidation("Accept", "*/*");
                }

                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                if (code is >= 300 and < 400 && response.Headers.Location is { } location && redirects < MaxRedirects)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (string.Equals(next.Host, first.Host, StringComparison.OrdinalIgnoreCase))
                    {
                        // Same host: follow it.
                        url = next;
                        continue;
                    }
                }

                if (!checkStatus || code is >= 200 and < 400)
                {
                    return code is >= 300 and < 400
                        ? new ActionResult(true, string.Create(CultureInfo.InvariantCulture, $"Probe terminated redirects, status {code}"))
                        : ActionResult.Ok;
                }

                var body = await ReadSomeAsync(response, deadline.Token).ConfigureAwait(false);
                return new ActionResult(false, string.Create(CultureInfo.InvariantCulture, $"HTTP probe failed with statuscode: {code}{(body.Length > 0 ? ", body: " + body : string.Empty)}"));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ActionResult(false, $"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            return new ActionResult(false, $"Get \"{url}\": {e.Message}");
        }
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[1024];
                var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return string.Empty;
        }
    }

    private static async Task<ActionResult> TcpAsync(V1TCPSocketAction action, V1Container container, string? podIP, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var host = string.IsNullOrEmpty(action.Host) ? podIP : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            return new ActionResult(false, "no host to probe: the pod has no IP");
        }

        if (ResolvePort(action.Port, container) is not { } port)
        {
            return new ActionResult(false, $"unable to resolve port {action.Port?.Value}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient(IPAddress.TryParse(host, out var ip) ? ip.AddressFamily : AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return ActionResult.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ActionResult(false, string.Create(CultureInfo.InvariantCulture, $"dial tcp {host}:{port}: i/o timeout"));
        }
        catch (SocketException e)
        {
            return new ActionResult(false, string.Create(CultureInfo.InvariantCulture, $"dial tcp {host}:{port}: {e.Message}"));
        }
    }
}
