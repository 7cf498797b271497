using System.Text;
using System.Text.Json.Nodes;
using Cetus.Storage;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// The audit log and secrets encryption at rest against real server processes: every request is one audit line
/// with who, what and the outcome; a Secret's value is nowhere in the data directory's files when encryption is on
/// (and is, as the control, when it is off); turning encryption on later encrypts the Secrets already stored.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuditAndEncryptionTests
{
    private const string Value = "Sup3r-Secret-Value-4f1c9e";

    [Fact]
    public async Task AuditLog_HasOneLinePerRequest_WithUserVerbObjectAndCode_AndNoSecretContent()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager"]);
        var marker = $"audit-{Guid.NewGuid():N}"[..20];

        await Kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", marker, "--from-literal", $"password={Value}");
        await Kubectl.RunAsync(server.Kubeconfig, "get", "secret", marker, "-o", "yaml");
        var missing = await Kubectl.RunAsync(server.Kubeconfig, "get", "configmap", marker, "-n", "kube-system");
        await Kubectl.RunAsync(server.Kubeconfig, "delete", "secret", marker);
        var log = Path.Combine(server.DataDir, "audit", "audit.log");
        var lines = await WaitForLinesAsync(log, l => l.Contains($"/configmaps/{marker}", StringComparison.Ordinal) || l.Contains($"\"verb\":\"delete\"", StringComparison.Ordinal), 2);

        Assert.Equal(1, missing.ExitCode);
        var events = lines.Select(l => JsonNode.Parse(l)!).ToList();
        var create = Assert.Single(events, e => (string?)e["verb"] == "create" && (string?)e["objectRef"]?["name"] == marker);
        Assert.Equal("audit.k8s.io/v1", (string?)create["apiVersion"]);
        Assert.Equal("Event", (string?)create["kind"]);
        Assert.Equal("Metadata", (string?)create["level"]);
        Assert.Equal("system:admin", (string?)create["user"]!["username"]);
        Assert.Contains("system:masters", create["user"]!["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal("secrets", (string?)create["objectRef"]!["resource"]);
        Assert.Equal("default", (string?)create["objectRef"]!["namespace"]);
        Assert.Equal(201, (int?)create["responseStatus"]!["code"]);
        Assert.True(DateTimeOffset.Parse((string)create["stageTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse((string)create["requestReceivedTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Single(events, e => (string?)e["verb"] == "get" && (string?)e["objectRef"]?["name"] == marker && (int?)e["responseStatus"]!["code"] == 200);
        Assert.Single(events, e => (string?)e["verb"] == "get" && (string?)e["objectRef"]?["resource"] == "configmaps" && (int?)e["responseStatus"]!["code"] == 404);
        Assert.Single(events, e => (string?)e["verb"] == "delete" && (string?)e["objectRef"]?["name"] == marker);
        var text = await ReadSharedAsync(log);
        Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Value)), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditLog_RecordsUnauthenticatedAndImpersonatedRequests()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager"]);
        using var anonymous = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(server.Address) };

        using var denied = await anonymous.GetAsync("/api/v1/namespaces/default/pods/anon-probe");
        await Kubectl.RunAsync(server.Kubeconfig, "get", "pods", "imp-probe", "--as", "mallory", "--as-group", "system:masters");
        var lines = await WaitForLinesAsync(Path.Combine(server.DataDir, "audit", "audit.log"), l => l.Contains("anon-probe", StringComparison.Ordinal) || l.Contains("imp-probe", StringComparison.Ordinal), 2);

        var anon = JsonNode.Parse(lines.Single(l => l.Contains("anon-probe", StringComparison.Ordinal)))!;
        var impersonated = JsonNode.Parse(lines.Single(l => l.Contains("imp-probe", StringComparison.Ordinal)))!;
        Assert.Equal(401, (int?)anon["responseStatus"]!["code"]);
        Assert.Null(anon["user"]!["username"]);
        Assert.Equal("system:admin", (string?)impersonated["user"]!["username"]);
        Assert.Equal("mallory", (string?)impersonated["impersonatedUser"]!["username"]);
        Assert.Equal(404, (int?)impersonated["responseStatus"]!["code"]);
    }

    [Fact]
    public async Task SecretsEncryption_KeepsTheValueOutOfEveryFile_TurningItOnLaterEncryptsStoredSecrets()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager"]);
        var create = await Kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", "before", "--from-literal", $"password={Value}");
        Assert.True(create.ExitCode == 0, create.ToString());
        await server.StopAsync();

        // The control: without encryption the value is in the datastore's file (so the checks below can fail).
        Assert.True(await FilesContainAsync(server.DataDir, Value), "the plain-text control did not find the value");
        Assert.False(IsEncrypted(await ReadRawAsync(server.DataDir, "/registry/secrets/default/before")));

        await server.RestartAsync(["--disable-controller-manager", "--secrets-encryption"]);
        Assert.Contains("1 stored in plain text encrypted now", server.Log, StringComparison.Ordinal);
        var after = await Kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", "after", "--from-literal", $"password={Value}");
        var readBack = await Kubectl.RunAsync(server.Kubeconfig, "get", "secret", "after", "-o", "jsonpath={.data.password}");
        var readOld = await Kubectl.RunAsync(server.Kubeconfig, "get", "secret", "before", "-o", "jsonpath={.data.password}");
        await server.StopAsync();

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(Value, Encoding.UTF8.GetString(Convert.FromBase64String(readBack.Stdout)));
        Assert.Equal(Value, Encoding.UTF8.GetString(Convert.FromBase64String(readOld.Stdout)));
        Assert.True(IsEncrypted(await ReadRawAsync(server.DataDir, "/registry/secrets/default/after")));
        Assert.True(IsEncrypted(await ReadRawAsync(server.DataDir, "/registry/secrets/default/before")));
        var key = Path.Combine(server.DataDir, "tls", "secrets-encryption.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public async Task SecretsEncryption_FromTheStart_NoFileHoldsTheValue()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager", "--secrets-encryption"]);
        var create = await Kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", "sealed", "--from-literal", $"password={Value}");
        var patch = new JsonObject { ["data"] = new JsonObject { ["other"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Value + "-2")) } }.ToJsonString();
        var update = await Kubectl.RunAsync(server.Kubeconfig, "patch", "secret", "sealed", "--type", "merge", "-p", patch);
        var read = await Kubectl.RunAsync(server.Kubeconfig, "get", "secret", "sealed", "-o", "jsonpath={.data.other}");
        await server.StopAsync();

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.False(await FilesContainAsync(server.DataDir, Value));
        Assert.True(IsEncrypted(await ReadRawAsync(server.DataDir, "/registry/secrets/default/sealed")));
        Assert.Equal(Value + "-2", Encoding.UTF8.GetString(Convert.FromBase64String(read.Stdout)));
    }

    private static bool IsEncrypted(byte[] value) => Encoding.ASCII.GetString(value.AsSpan(0, Math.Min(value.Length, 23))) == "k8s:enc:aesgcm:v1:key1:";

    private static async Task<byte[]> ReadRawAsync(string dataDir, string key)
    {
        await using var store = Datastore.Open("sqlite://" + Path.Combine(dataDir, "state.db"));
        var kv = await store.GetAsync(key);
        Assert.NotNull(kv);
        return kv.Value;
    }

    // The value as it is stored (base64 inside the Secret's JSON) or raw, in any file under the data directory
    // (the SQLite database, its write-ahead log, the audit log, …).
    private static async Task<bool> FilesContainAsync(string dataDir, string value)
    {
        var needles = new[] { Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))) };
        foreach (var file in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            if (needles.Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    // The writer is asynchronous: wait until at least `count` lines match.
    private static async Task<List<string>> WaitForLinesAsync(string path, Func<string, bool> match, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var lines = File.Exists(path) ? (await ReadSharedAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList() : [];
            if (lines.Count(match) >= count)
            {
                return lines;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the audit log did not get {count} matching lines in 15 s");
            await Task.Delay(100);
        }
    }
}
