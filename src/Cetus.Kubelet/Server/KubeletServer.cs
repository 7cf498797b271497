using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cetus.Cri;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Server;

/// <summary>
/// The kubelet's own HTTPS server, which the API server proxies pods/log, exec, attach and portforward to (the
/// kubelet's port 10250): a client certificate chaining to the cluster CA with an allowed common name is required
/// (only the API server's), then /containerLogs, /exec, /attach, /portForward, /stats/summary and /healthz are served
/// from the runtime. Errors are Kubernetes Status objects.
/// </summary>
public sealed partial class KubeletServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KubeletServerOptions _options;
    private readonly IContainerRuntime _runtime;
    private readonly IStreamingRuntime? _streaming;
    private readonly RuntimePods _pods;
    private readonly Stats.StatsProvider _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private KubeletServer(WebApplication app, KubeletServerOptions options, IContainerRuntime runtime, TimeProvider time, ILogger logger)
    {
        _app = app;
        _options = options;
        _runtime = runtime;
        _streaming = runtime as IStreamingRuntime;
        _pods = new RuntimePods(runtime);
        _stats = new Stats.StatsProvider(options.NodeName, runtime, time: time);
        _time = time;
        _logger = logger;
    }

    /// <summary>The https:// address it listens on.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Starts listening; the runtime serves exec, attach and port-forward when it is an <see cref="IStreamingRuntime"/>.</summary>
    public static async Task<KubeletServer> StartAsync(KubeletServerOptions options, IContainerRuntime runtime, TimeProvider? time = null, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtime);
        loggers ??= NullLoggerFactory.Instance;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        var trust = options.ClientCertificateAuthority;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.Port, listen =>
            {
                // HTTP/1.1 only: the streaming protocols are upgrades of an HTTP/1.1 request.
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = options.ServingCertificate,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    // An untrusted certificate fails the handshake; a missing one gets a 401 Status per request.
                    ClientCertificateValidation = (certificate, _, _) => Cetus.Client.Security.ComponentEndpoints.ChainsTo(certificate, trust),
                });
            });
        });

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var server = new KubeletServer(app, options, runtime, time ?? TimeProvider.System, loggers.CreateLogger<KubeletServer>());
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server.Address = app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            var certificate = context.Connection.ClientCertificate;
            if (certificate is null)
            {
                await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized: the kubelet's API takes a client certificate signed by the cluster CA").ConfigureAwait(false);
                return;
            }

            var user = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (!_options.AllowedClients.Contains(user))
            {
                await WriteStatusAsync(context, 403, "Forbidden", $"Forbidden (user={user}, verb={context.Request.Method.ToLowerInvariant()}, resource=nodes, subresource=proxy): only the API server may call the kubelet").ConfigureAwait(false);
                return;
            }

            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (KubeletRequestException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, e.Code, e.Reason, e.Message).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFailed(_logger, context.Request.Method, context.Request.Path, e);
            if (!context.Response.HasStarted)
            {
                await WriteStatusAsync(context, 500, "InternalError", e.Message).ConfigureAwait(false);
            }
        }
    }

    private Task RouteAsync(HttpContext context)
    {
        var parts = (context.Request.Path.Value ?? "/").Trim('/').Split('/');
        var method = context.Request.Method;
        return parts switch
        {
            ["healthz"] => context.Response.WriteAsync("ok", context.RequestAborted),
            ["containerLogs", var ns, var pod, var container] => LogsAsync(context, ns, pod, container),
            ["stats", "summary"] => SummaryAsync(context),
            ["portForward", var ns, var pod] => PortForwardAsync(context, ns, pod),
            ["exec", var ns, var pod, var container] => ExecAsync(context, ns, pod, container, attach: false),
            ["attach", var ns, var pod, var container] => ExecAsync(context, ns, pod, container, attach: true),
            _ => throw new KubeletRequestException(404, "NotFound", $"the kubelet serves no {method} {context.Request.Path}"),
        };
    }

    // The node's and its pods' CPU and memory usage (the kubelet's summary API, which metrics.k8s.io reads).
    private async Task SummaryAsync(HttpContext context)
    {
        var summary = await _stats.GetSummaryAsync(context.RequestAborted).ConfigureAwait(false);
        var body = summary.ToJson();
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes a Kubernetes Status as the response.</summary>
    internal static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var body = Cetus.Client.Security.ComponentEndpoints.FailureStatus(code, reason, message);
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "kubelet server: {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, string method, PathString path, Exception exception);
}

/// <summary>A request the kubelet's server refuses, with the Status it answers.</summary>
internal sealed class KubeletRequestException(int code, string reason, string message) : Exception(message)
{
    /// <summary>The HTTP status code.</summary>
    public int Code { get; } = code;

    /// <summary>The Status reason.</summary>
    public string Reason { get; } = reason;
}
