using System.Net;
using System.Text.Json;
using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Discovery;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Routing;
using Cetus.ApiServer.Watch;
using Cetus.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Cetus.ApiServer;

/// <summary>
/// The Kubernetes API server: HTTPS on Kestrel, every caller authenticated, resources served from the datastore and
/// the watch cache. Start it, use <see cref="Address"/>, dispose it to stop.
/// </summary>
public sealed partial class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WatchCache _cache;
    private readonly Audit.AuditLog? _audit;

    private ApiServer(WebApplication app, WatchCache cache, Audit.AuditLog? audit)
    {
        _app = app;
        _cache = cache;
        _audit = audit;
    }

    /// <summary>The https:// address the server listens on.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>How many Secrets stored in plain text were encrypted when the server started.</summary>
    public int SecretsEncryptedAtStart { get; private init; }

    /// <summary>Builds the server over <paramref name="store"/>, loads the watch cache, creates the system namespaces, and starts listening.</summary>
    public static async Task<ApiServer> StartAsync(IStore store, ApiServerOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggers is not null)
        {
            builder.Services.AddSingleton(loggers);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = BodyReader.MaxBodyBytes + 1;
            // Go's HTTP server takes up to 1 MiB of request line and headers: long paths and many headers reach the
            // API server and get a Status, instead of Kestrel's bare 414/431.
            kestrel.Limits.MaxRequestLineSize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 1000;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 1024 * 1024;
            kestrel.Limits.Http2.HeaderTableSize = 64 * 1024;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.SecurePort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = options.ServingCertificate,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    // Trust is decided per request by Authentication, so an untrusted certificate gets a 401 Status, not a TLS failure.
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });

        var encrypting = options.SecretsEncryption is { } encryption ? new Security.EncryptingStore(store, encryption) : null;
        store = encrypting ?? store;
        var registry = BuiltInResources.Create();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(registry);
        services.AddSingleton<RecentWrites>();
        services.AddSingleton<ObjectStore>();
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<InFlightLimits>();
        services.AddSingleton<WatchCache>();
        services.AddSingleton<DiscoveryDocuments>();
        services.AddSingleton<OpenApi.OpenApiV3Builder>();
        services.AddSingleton<Authentication>();
        services.AddSingleton(options.ServiceAccountTokens ?? Security.ServiceAccountTokens.Ephemeral());
        services.AddSingleton<ServiceAccountAuthenticator>();
        services.AddSingleton<BootstrapTokenAuthenticator>();
        services.AddSingleton<TokenRequestHandler>();
        services.AddSingleton<GetHandler>();
        services.AddSingleton<ListHandler>();
        services.AddSingleton<WatchHandler>();
        services.AddSingleton<Admission.PriorityAdmission>();
        services.AddSingleton<Admission.ServiceAccountAdmission>();
        services.AddSingleton<Admission.Certificates.CertificateAdmission>();
        services.AddSingleton<Services.ServiceAllocator>();
        services.AddSingleton<Services.KubernetesServiceReconciler>();
        services.AddSingleton<CreateHandler>();
        services.AddSingleton<UpdateHandler>();
        services.AddSingleton<DeleteHandler>();
        services.AddSingleton<SubresourceHandlers>();
        services.AddSingleton<EvictionHandler>();
        services.AddSingleton<Kubelets.KubeletConnector>();
        services.AddSingleton<Kubelets.SchedulerDecisionsProxy>();
        services.AddSingleton<Kubelets.PodStreamHandlers>();
        services.AddSingleton<ResourceEndpoint>();
        services.AddSingleton<Authorization.RbacAuthorizer>();
        services.AddSingleton<Authorization.RbacWriteGuard>();
        services.AddSingleton<Authorization.ReviewHandler>();
        services.AddSingleton<Authorization.ClusterRoleAggregator>();
        services.AddSingleton<Security.BootstrapSigner>();
        services.AddSingleton<ResourceMetrics.MetricsEndpoint>();

        var app = builder.Build();
        var cache = app.Services.GetRequiredService<WatchCache>();
        await cache.StartAsync(cancellationToken).ConfigureAwait(false);
        await SystemNamespaces.EnsureAsync(app.Services.GetRequiredService<ObjectStore>(), registry, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await Authorization.BootstrapPolicy.EnsureAsync(app.Services.GetRequiredService<ObjectStore>(), registry, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var encryptedAtStart = encrypting is null ? 0 : await encrypting.EncryptPlainSecretsAsync(cancellationToken).ConfigureAwait(false);
        var authorizer = app.Services.GetRequiredService<Authorization.RbacAuthorizer>();
        authorizer.Start();
        app.Services.GetRequiredService<Authorization.ClusterRoleAggregator>().Start();
        app.Services.GetRequiredService<Security.BootstrapSigner>().Start();

        // The OpenAPI documents are built on first request (kubectl create, apply, edit and explain ask for them), not
        // here: building them walks every model type by reflection and keeps ~10 MB that a server nobody has asked
        // yet does not need (docs/benchmarks.md, idle RSS 2026-11-28).
        var server = new ApiServer(app, cache, options.AuditLog is { } auditOptions ? new Audit.AuditLog(auditOptions) : null) { SecretsEncryptedAtStart = encryptedAtStart };
        server.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.First();
        server.Address = address.Replace("[::]", options.BindAddress, StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
        await app.Services.GetRequiredService<Services.KubernetesServiceReconciler>().StartAsync(new Uri(server.Address).Port, cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.Services.GetRequiredService<Services.KubernetesServiceReconciler>().DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<Authorization.ClusterRoleAggregator>().DisposeAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<Security.BootstrapSigner>().DisposeAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<Authorization.RbacAuthorizer>().DisposeAsync().ConfigureAwait(false);
        await _cache.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_audit is not null)
        {
            await _audit.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Map(WebApplication app)
    {
        var authentication = app.Services.GetRequiredService<Authentication>();
        var options = app.Services.GetRequiredService<ApiServerOptions>();
        var discovery = app.Services.GetRequiredService<DiscoveryDocuments>();
        var resources = app.Services.GetRequiredService<ResourceEndpoint>();
        var resourceMetrics = app.Services.GetRequiredService<ResourceMetrics.MetricsEndpoint>();
        var openApi = app.Services.GetRequiredService<OpenApi.OpenApiV3Builder>();
        var metrics = app.Services.GetRequiredService<ApiMetrics>();
        var limits = app.Services.GetRequiredService<InFlightLimits>();
        var authorizer = app.Services.GetRequiredService<Authorization.RbacAuthorizer>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ApiServer>();
        var serviceAccountTokens = app.Services.GetRequiredService<Security.ServiceAccountTokens>();
        var schedulerProxy = app.Services.GetRequiredService<Kubelets.SchedulerDecisionsProxy>();
        // Service-account issuer discovery, as kube-apiserver serves it for OIDC consumers of its tokens.
        var openIdConfiguration = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["issuer"] = serviceAccountTokens.Issuer,
            ["jwks_uri"] = serviceAccountTokens.Issuer.TrimEnd('/') + "/openid/v1/jwks",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        var version = JsonSerializer.SerializeToUtf8Bytes(new
        {
            major = options.Version.Major,
            minor = options.Version.Minor,
            gitVersion = options.Version.GitVersion,
            gitCommit = "0000000000000000000000000000000000000000",
            gitTreeState = "clean",
            buildDate = "2026-11-26T00:00:00Z",
            goVersion = $"dotnet{Environment.Version}",
            compiler = "dotnet",
            platform = "linux/amd64",
        });

        var audit = _audit;
        app.Run(async context =>
        {
            var labels = RequestLabels.Of(context);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var received = audit is null ? default : DateTimeOffset.UtcNow;
            if (audit is not null)
            {
                context.Response.Headers["Audit-Id"] = context.TraceIdentifier = Guid.NewGuid().ToString();
            }

            IDisposable? slot = null;
            try
            {
                var user = await authentication.AuthenticateAsync(context).ConfigureAwait(false);
                Authorize(context, user);
                slot = limits.Enter(labels, metrics);
                if (labels.Verb == "WATCH")
                {
                    using (metrics.LongRunning.WithLabels(labels.Verb, labels.Group, labels.Version, labels.Resource).TrackInProgress())
                    {
                        await RouteAsync(context).ConfigureAwait(false);
                    }
                }
                else
                {
                    await RouteAsync(context).ConfigureAwait(false);
                }
            }
            catch (ApiException e)
            {
                if (!context.Response.HasStarted)
                {
                    await Responses.WriteErrorAsync(context, e).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                if (!context.Response.HasStarted)
                {
                    await Responses.WriteErrorAsync(context, e.StatusCode == 413 ? Problems.TooLarge(BodyReader.MaxBodyBytes) : Problems.BadRequest(e.Message)).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                LogUnexpected(logger, context.Request.Method, context.Request.Path, e);
                if (!context.Response.HasStarted)
                {
                    await Responses.WriteErrorAsync(context, Problems.Internal(e.Message)).ConfigureAwait(false);
                }
            }
            finally
            {
                slot?.Dispose();
                var code = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                metrics.Requests.WithLabels(labels.Verb, labels.Group, labels.Version, labels.Resource, labels.Subresource, code).Inc();
                if (labels.Verb != "WATCH")
                {
                    metrics.Latency.WithLabels(labels.Verb, labels.Group, labels.Version, labels.Resource, labels.Subresource).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                }

                audit?.Record(Audit.AuditEntries.Of(context, labels, received));
            }
        });

        // Impersonation, then RBAC: system:masters passes without building the request's attributes (the hot path).
        void Authorize(HttpContext context, Security.UserInfo user)
        {
            var acting = Authorization.Impersonation.Apply(context, user, authorizer.Authorize);
            if (!ReferenceEquals(acting, user))
            {
                Authentication.ActAs(context, acting);
            }

            if (acting.Groups.Contains(Authorization.RbacPolicy.MastersGroup))
            {
                return;
            }

            var path = context.Request.Path.Value ?? "/";
            var request = Authorization.RequestAttributes.From(acting, context.Request.Method, path, context.Request.Query);
            var (allowed, reason) = authorizer.Authorize(request);
            if (!allowed)
            {
                throw Authorization.Forbidden.For(request, reason);
            }
        }

        Task RouteAsync(HttpContext context)
        {
            if (context.Request.Method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS"))
            {
                throw new ApiException(Problems.Status(405, "MethodNotAllowed", $"the server does not allow the method \"{context.Request.Method}\" on the requested resource", null));
            }

            var path = context.Request.Path.Value ?? "/";
            var get = HttpMethods.IsGet(context.Request.Method);
            switch (path.TrimEnd('/'))
            {
                case "/version" when get:
                    return Responses.WriteJsonAsync(context, 200, version);
                case "/.well-known/openid-configuration" when get:
                    return Responses.WriteJsonAsync(context, 200, openIdConfiguration);
                case "/openid/v1/jwks" when get:
                    context.Response.ContentType = "application/jwk-set+json";
                    return context.Response.Body.WriteAsync(serviceAccountTokens.Jwks, context.RequestAborted).AsTask();
                case "/healthz" or "/livez" or "/readyz" when get:
                    return Health(context);
                case "/metrics" when get:
                    context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    return metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
                case "/api" when get:
                    return Aggregated(context)
                        ? WriteDiscovery(context, discovery.AggregatedCore)
                        : Responses.WriteJsonAsync(context, 200, DiscoveryDocuments.ApiVersions($"{options.BindAddress}:{context.Connection.LocalPort}"));
                case "/apis" when get:
                    return Aggregated(context) ? WriteDiscovery(context, discovery.AggregatedGroups) : Responses.WriteJsonAsync(context, 200, discovery.ApiGroupList);
            }

            if (get && path.StartsWith("/openapi/v3", StringComparison.Ordinal))
            {
                return OpenApi.OpenApiEndpoint.WriteAsync(context, openApi, path);
            }

            if (HasDotSegment(context))
            {
                // The server resolves "." and ".." before routing; a name of ".." would address the namespace above.
                throw Problems.BadRequest($"invalid request path {context.Request.Path}: \".\" and \"..\" are not valid path segments");
            }

            var parts = path.Trim('/').Split('/');
            if (get && parts is ["debug", "scheduler", "pods", var decisionNamespace, var decisionPod])
            {
                return SchedulerDecision(context, decisionNamespace, decisionPod);
            }

            if (get && parts is ["api", var coreVersion] && discovery.ResourceLists.TryGetValue((string.Empty, coreVersion), out var coreList))
            {
                return Responses.WriteJsonAsync(context, 200, coreList);
            }

            if (get && parts is ["apis", var group, var groupVersion] && discovery.ResourceLists.TryGetValue((group, groupVersion), out var groupList))
            {
                return Responses.WriteJsonAsync(context, 200, groupList);
            }

            if (get && parts is ["apis", var onlyGroup] && discovery.Group(onlyGroup) is { } groupDocument)
            {
                return Responses.WriteJsonAsync(context, 200, groupDocument);
            }

            var info = RequestInfo.Parse(path) ?? throw Problems.PathNotFound(path);
            return info.Group == ResourceMetrics.MetricsApi.Group ? resourceMetrics.HandleAsync(context, info) : resources.HandleAsync(context, info);
        }

        // Cetus' own: the scheduler's record of a pod's last scheduling attempt (cetus explain pod), from the scheduler
        // in this process, else from the leader of a scheduler run apart (found on its Lease).
        async Task SchedulerDecision(HttpContext context, string ns, string name)
        {
            if (options.SchedulerDecisions is null)
            {
                var (code, body) = await schedulerProxy.GetAsync(ns, name, context.RequestAborted).ConfigureAwait(false);
                await Responses.WriteJsonAsync(context, code, body).ConfigureAwait(false);
                return;
            }

            var json = options.SchedulerDecisions(ns, name)
                ?? throw new ApiException(Problems.Status(404, "NotFound", Cetus.Api.Scheme.SchedulerEndpoint.NotKeptMessage(ns, name), new k8s.Models.V1StatusDetails { Name = name, Kind = "pods" }));
            await Responses.WriteJsonAsync(context, 200, json).ConfigureAwait(false);
        }

        static bool HasDotSegment(HttpContext context)
        {
            var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? string.Empty;
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            var target = query < 0 ? raw : raw[..query];
            foreach (var segment in target.Split('/'))
            {
                var decoded = Uri.UnescapeDataString(segment);
                if (decoded is "." or ".." || decoded.Contains('/', StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        static bool Aggregated(HttpContext context) =>
            context.Request.Headers.Accept.Any(a => a is not null && a.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && a.Contains("v=v2", StringComparison.Ordinal));

        static async Task WriteDiscovery(HttpContext context, byte[] body)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = DiscoveryDocuments.AggregatedContentType;
            context.Response.Headers.Vary = "Accept";
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }

        async Task Health(HttpContext context)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception error);
}
