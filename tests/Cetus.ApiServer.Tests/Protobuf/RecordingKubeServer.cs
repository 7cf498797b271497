using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Testing;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>
/// Just enough of an API server over plain HTTP for kubectl to send one write: /version, legacy discovery, and a POST
/// handler that records the body and answers with whatever <see cref="Reply"/> returns.
/// </summary>
public sealed class RecordingKubeServer : IAsyncDisposable
{
    // (groupVersion, plural, kind, namespaced): what kubectl's REST mapping needs for the commands the tests run.
    private static readonly (string GroupVersion, string Resource, string Kind, bool Namespaced)[] Resources =
    [
        ("v1", "configmaps", "ConfigMap", true), ("v1", "secrets", "Secret", true), ("v1", "namespaces", "Namespace", false),
        ("v1", "pods", "Pod", true), ("v1", "services", "Service", true), ("v1", "serviceaccounts", "ServiceAccount", true),
        ("v1", "resourcequotas", "ResourceQuota", true), ("v1", "nodes", "Node", false),
        ("apps/v1", "deployments", "Deployment", true), ("batch/v1", "jobs", "Job", true), ("batch/v1", "cronjobs", "CronJob", true),
        ("rbac.authorization.k8s.io/v1", "roles", "Role", true), ("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true),
        ("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false),
        ("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false),
        ("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true), ("networking.k8s.io/v1", "ingresses", "Ingress", true),
        ("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", false),
        ("authentication.k8s.io/v1", "selfsubjectreviews", "SelfSubjectReview", false),
        ("authorization.k8s.io/v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
    ];

    private readonly HttpListener _listener = new();
    private readonly TempDirectory _directory = new("kubectl-recorder");
    private readonly Task _loop;

    private RecordingKubeServer(int port)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException)
        {
            _listener.Close();
            _directory.Dispose();
            throw;
        }

        _loop = Task.Run(ServeAsync);
        File.WriteAllText(KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: recorder
              cluster:
                server: http://127.0.0.1:{port}
            users:
            - name: anonymous
              user: {"{}"}
            contexts:
            - name: recorder
              context:
                cluster: recorder
                user: anonymous
                namespace: default
            current-context: recorder
            """);
    }

    /// <summary>The bodies of the POSTs kubectl sent, with their Content-Type, in order.</summary>
    public List<(string Path, string? ContentType, byte[] Body)> Posts { get; } = [];

    /// <summary>Answers a POST body with 201 and (Content-Type, body); by default a JSON ConfigMap, as kube would.</summary>
    public Func<byte[], (string ContentType, byte[] Body)> Reply { get; set; } =
        _ => ("application/json", """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","namespace":"default"}}"""u8.ToArray());

    public string KubeconfigPath => _directory.File("kubeconfig");

    public static RecordingKubeServer Start()
    {
        // HttpListener cannot bind port 0: take a free port from the OS. Another process may bind it between the probe
        // and the listener (other test servers start in parallel), so a port found taken is replaced by a fresh one.
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                return new RecordingKubeServer(port);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                // The port was taken meanwhile: pick another.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop releases the port, and a Close after it looks the port's listener up again, binding the
        // port anew to do so, which fails when a parallel test has taken it meanwhile ("Address already in use").
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop this way.
        }

        _directory.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            try
            {
                Handle(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        if (request.HttpMethod == "POST")
        {
            using var body = new MemoryStream();
            request.InputStream.CopyTo(body);
            lock (Posts)
            {
                Posts.Add((path, request.ContentType, body.ToArray()));
            }

            var (contentType, reply) = Reply(body.ToArray());
            Send(context.Response, 201, contentType, reply);
            return;
        }

        var document = Discovery(path);
        if (document is null)
        {
            Send(context.Response, 404, "application/json", """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""u8.ToArray());
            return;
        }

        Send(context.Response, 200, "application/json", Encoding.UTF8.GetBytes(document.ToJsonString()));
    }

    private static JsonNode? Discovery(string path)
    {
        if (path == "/version")
        {
            return new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.4" };
        }

        if (path == "/api")
        {
            return new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") };
        }

        var groupVersions = Resources.Select(r => r.GroupVersion).Where(gv => gv.Contains('/')).Distinct().ToList();
        if (path == "/apis")
        {
            var groups = new JsonArray();
            foreach (var gv in groupVersions)
            {
                var version = new JsonObject { ["groupVersion"] = gv, ["version"] = gv.Split('/')[1] };
                groups.Add(new JsonObject { ["name"] = gv.Split('/')[0], ["versions"] = new JsonArray(version), ["preferredVersion"] = version.DeepClone() });
            }

            return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
        }

        var groupVersion = path == "/api/v1" ? "v1" : path.StartsWith("/apis/", StringComparison.Ordinal) ? path["/apis/".Length..] : null;
        if (groupVersion is null || !Resources.Any(r => r.GroupVersion == groupVersion))
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var r in Resources.Where(r => r.GroupVersion == groupVersion))
        {
            resources.Add(new JsonObject
            {
                ["name"] = r.Resource,
                ["singularName"] = r.Kind.ToLowerInvariant(),
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray("create", "get", "list", "delete", "update", "patch"),
            });
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources };
    }

    private static void Send(HttpListenerResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }
}
