using System.Diagnostics;
using System.Net;
using Cetus.Kubelet.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Cetus.Kubelet.Tests.Streaming.SpdyTestKit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>
/// The real kubectl 1.32 exec (WebSocket v5.channel.k8s.io) against a minimal API server in the test, whose exec
/// handler accepts the WebSocket as the kubelet does and relays it with <see cref="SpdyExecRelay"/> to a
/// <see cref="FakeExecRuntime"/>: the check that kubectl's close of stdin reaches the command and that its exit code
/// and output come back (issue 8's <c>echo hi | kubectl exec -i POD -- cat</c>).
/// </summary>
public sealed class ExecKubectlTests : IAsyncLifetime
{
    private const string PodPath = "/api/v1/namespaces/default/pods/web";
    private readonly string _directory = Directory.CreateTempSubdirectory("cetus-exec-kubectl-").FullName;
    private WebApplication _api = null!;
    private FakeExecRuntime? _runtime;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _api = builder.Build();
        _api.UseWebSockets();
        _api.Run(HandleAsync);
        await _api.StartAsync();
        _kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(_kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "{{{_api.Urls.First()}}}"}}]
            users: [{name: fake, user: {}}]
            contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]
            current-context: fake
            """);
    }

    public async Task DisposeAsync()
    {
        await _api.StopAsync();
        await _api.DisposeAsync();
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task KubectlExecWithStdin_EndsWhenItsInputEnds_AndPrintsWhatTheCommandEchoed()
    {
        var sawEndOfInput = false;
        _runtime = new FakeExecRuntime(async exec =>
        {
            // cat: stdin to stdout until the end of input, then exit 0.
            await exec["stdin"]!.CopyToAsync(exec["stdout"]!);
            sawEndOfInput = true;
            await exec.WriteAsync("error", """{"metadata":{},"status":"Success"}""");
        }, expectedStreams: 4);

        var (exitCode, stdout, stderr) = await KubectlAsync("hello\nworld\n", "exec", "-i", "web", "--", "cat");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("hello\nworld\n", stdout);
        Assert.True(sawEndOfInput);
    }

    [Fact]
    public async Task KubectlExec_ExitsWithTheCommandsExitCode_AndKeepsStdoutAndStderrApart()
    {
        _runtime = new FakeExecRuntime(async exec =>
        {
            await exec.WriteAsync("stdout", "to stdout\n");
            await exec.WriteAsync("stderr", "to stderr\n");
            await exec.WriteAsync("error", FakeExec.ExitStatus(3));
        }, expectedStreams: 3);

        var (exitCode, stdout, stderr) = await KubectlAsync(null, "exec", "web", "--", "sh", "-c", "exit 3");

        Assert.Equal(3, exitCode);
        Assert.Equal("to stdout\n", stdout);
        Assert.StartsWith("to stderr\n", stderr, StringComparison.Ordinal);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path == PodPath + "/exec" && context.WebSockets.IsWebSocketRequest)
        {
            var protocol = context.WebSockets.WebSocketRequestedProtocols.First(p => p == SpdyExecRelay.CloseSignalProtocol);
            var query = context.Request.Query;
            bool Flag(string name) => query[name] == "true";
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
            await SpdyExecRelay.RunAsync(socket, protocol, _runtime!.Url, Flag("stdin"), Flag("stdout"), Flag("stderr"), Flag("tty"), NullLogger.Instance, context.RequestAborted);
            return;
        }

        var (status, body) = path switch
        {
            "/api" => (200, """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}"""),
            "/apis" => (200, """{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"""),
            "/api/v1" => (200, """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get"]},{"name":"pods/exec","singularName":"","namespaced":true,"kind":"PodExecOptions","verbs":["create","get"]}]}"""),
            PodPath => (200, """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default","uid":"uid-web"},"spec":{"containers":[{"name":"c","image":"busybox"}]},"status":{"phase":"Running"}}"""),
            _ => (404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> KubectlAsync(string? input, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", _kubeconfig, "--cache-dir", Path.Combine(_directory, "cache") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["HOME"] = _directory;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(Deadline);
            return (process.ExitCode, await stdout.WaitAsync(Deadline), await stderr.WaitAsync(Deadline));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
