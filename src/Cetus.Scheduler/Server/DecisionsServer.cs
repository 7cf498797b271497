using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Api.Scheme;
using Cetus.Scheduler.Decisions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Cetus.Scheduler.Server;

/// <summary>How a scheduler run apart serves its decisions (kube-scheduler's --secure-port and --bind-address).</summary>
public sealed record DecisionsServerOptions
{
    /// <summary>kube-scheduler's secure port.</summary>
    public const int DefaultPort = 10259;

    /// <summary>The address to listen on (0.0.0.0 for every interface).</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>The port; 0 picks a free one (the command line's 0 turns the server off instead).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The CA client certificates must chain to (the cluster CA).</summary>
    public required X509Certificate2 ClientCertificateAuthority { get; init; }

    /// <summary>
    /// The client certificate common names allowed in: the API server's proxy identity (its kubelet client
    /// certificate) by default, so only the API server reads decisions directly; users go through it (and RBAC).
    /// </summary>
    public IReadOnlySet<string> AllowedClients { get; init; } = new HashSet<string>(StringComparer.Ordinal) { ApiServerClientName };

    /// <summary>The CN of the API server's client certificate for the components it proxies to.</summary>
    public const string ApiServerClientName = "kube-apiserver-kubelet-client";
}

/// <summary>
/// The HTTPS endpoint of a scheduler run apart (<c>cetus scheduler --secure-port</c>): GET
/// <c>/debug/scheduler/pods/NS/NAME</c> answers a pod's last scheduling decision (404 Status when none is kept), and
/// <c>/healthz</c> "ok". A client certificate chaining to the cluster CA with an allowed common name is required. The
/// serving certificate is self-signed, made at start; <see cref="CertificateSha256"/> is what the Lease publishes.
/// </summary>
public sealed class DecisionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private DecisionsServer(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
        CertificateSha256 = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>The https:// address it listens on (0.0.0.0 shown as 127.0.0.1).</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>The SHA-256 of the serving certificate (hex), which the API server pins.</summary>
    public string CertificateSha256 { get; }

    /// <summary>Starts listening.</summary>
    public static async Task<DecisionsServer> StartAsync(DecisionsServerOptions options, SchedulingDecisions decisions, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decisions);
        var certificate = SelfSigned(options.BindAddress);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var trust = options.ClientCertificateAuthority;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.Port, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (client, _, _) => Cetus.Client.Security.ComponentEndpoints.ChainsTo(client, trust),
            }));
        });

        var app = builder.Build();
        var logger = (loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<DecisionsServer>();
        app.Run(context => HandleAsync(context, options, decisions, logger));
        var server = new DecisionsServer(app, certificate);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server.Address = app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }

    private static async Task HandleAsync(HttpContext context, DecisionsServerOptions options, SchedulingDecisions decisions, ILogger logger)
    {
        try
        {
            if (context.Connection.ClientCertificate is not { } certificate)
            {
                await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized: the scheduler's API takes a client certificate signed by the cluster CA").ConfigureAwait(false);
                return;
            }

            var user = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (!options.AllowedClients.Contains(user))
            {
                await WriteStatusAsync(context, 403, "Forbidden", $"Forbidden (user={user}): only the API server may call the scheduler; read decisions through it").ConfigureAwait(false);
                return;
            }

            var parts = (context.Request.Path.Value ?? "/").Trim('/').Split('/');
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await WriteStatusAsync(context, 405, "MethodNotAllowed", $"the scheduler serves GET only, not {context.Request.Method}").ConfigureAwait(false);
                return;
            }

            switch (parts)
            {
                case ["healthz"]:
                    await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
                    return;
                case ["debug", "scheduler", "pods", var ns, var name]:
                    var json = decisions.FindJson(Uri.UnescapeDataString(ns), Uri.UnescapeDataString(name));
                    if (json is null)
                    {
                        await WriteStatusAsync(context, 404, "NotFound", SchedulerEndpoint.NotKeptMessage(Uri.UnescapeDataString(ns), Uri.UnescapeDataString(name))).ConfigureAwait(false);
                        return;
                    }

                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength = json.Length;
                    await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
                    return;
                default:
                    await WriteStatusAsync(context, 404, "NotFound", "the page could not be found").ConfigureAwait(false);
                    return;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            logger.LogWarning("serving {Path} failed: {Error}", context.Request.Path, e.Message);
        }
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var body = Cetus.Client.Security.ComponentEndpoints.FailureStatus(code, reason, message);
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // kube-scheduler makes a self-signed serving certificate when given none; here it is pinned through the Lease.
    private static X509Certificate2 SelfSigned(string bindAddress)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=cetus-scheduler", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        if (IPAddress.TryParse(bindAddress, out var bound) && !bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            names.AddIpAddress(bound);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}
