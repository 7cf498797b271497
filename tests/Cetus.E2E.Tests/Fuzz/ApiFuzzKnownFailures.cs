using System.Net;
using System.Text;
using System.Text.Json;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>
/// Requests the fuzzing found answered wrongly (crashes, 500s, dot-segment paths, renaming patches …), each asserting
/// what Kubernetes does: regression cases for bugs that were fixed, kept apart from <see cref="ApiFuzzTests"/>. Each case works in
/// a namespace of its own (with the seeded objects of <see cref="Targets"/>) on a shared server; cases that crash or
/// exhaust a server get a server of their own. When one is fixed, its case passes: move its requests into the corpus.
/// </summary>
public sealed class ApiFuzzKnownFailures(ApiFuzzKnownFailures.SharedServer shared) : IClassFixture<ApiFuzzKnownFailures.SharedServer>
{
    /// <summary>One known bug: what to send (in namespace ns), what Kubernetes answers, and what must hold afterwards.</summary>
    public sealed record Case(string Id, string Bug, Func<string, FuzzRequest> Request)
    {
        /// <summary>Needs a server of its own: it crashes or exhausts the one it runs on.</summary>
        public bool Isolated { get; init; }

        /// <summary>HTTP/1.1 unless set.</summary>
        public Version Http { get; init; } = HttpVersion.Version11;

        /// <summary>Whether the correct answer stores something; if not, the namespace must be unchanged afterwards.</summary>
        public bool Writes { get; init; }

        /// <summary>A further check after the request, with the same client; returns what is wrong, or null.</summary>
        public Func<ApiClient, string, Task<string?>>? After { get; init; }
    }

    private static readonly Dictionary<string, Case> All = Cases().ToDictionary(c => c.Id);

    public static TheoryData<string> Ids
    {
        get
        {
            var ids = new TheoryData<string>();
            foreach (var id in All.Keys)
            {
                ids.Add(id);
            }

            return ids;
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task KnownBug_IsAnsweredAsKubernetesDoes(string id)
    {
        var known = All[id];
        await using var own = known.Isolated ? await CetusServerProcess.StartAsync(environment: LimitedHeap, arguments: FuzzServer.Arguments) : null;
        var server = own ?? await shared.ServerAsync();
        var ns = "kf-" + id.ToLowerInvariant().Replace('.', '-');
        if (ns.Length > 63)
        {
            ns = ns[..63].TrimEnd('-');
        }

        await SeedAsync(server, ns);
        using var client = new ApiClient(server, known.Http);
        var before = await SnapshotAsync(client, ns);
        var request = known.Request(ns);

        var response = await client.SendAsync(request);

        var problems = new List<string>();
        if (request.Expect.Check(response) is { } problem)
        {
            problems.Add(problem);
        }

        if (!server.IsRunning)
        {
            problems.Add($"the server exited:\n{ApiFuzzTests.Tail(server.Log)}");
        }
        else
        {
            if (!known.Writes && await SnapshotAsync(client, ns) is var after && !after.SequenceEqual(before))
            {
                problems.Add($"the namespace changed:\n  before: {string.Join(", ", before)}\n  after:  {string.Join(", ", after)}");
            }

            if (known.After is not null && await known.After(client, ns) is { } afterProblem)
            {
                problems.Add(afterProblem);
            }
        }

        Assert.True(problems.Count == 0, $"{known.Bug}\n{request.Reproduction()}\n=> {response}\n{string.Join("\n", problems)}");
    }

    // A server that would exhaust its memory fails fast instead of taking the machine with it.
    private static readonly Dictionary<string, string> LimitedHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x40000000" };

    private static IEnumerable<Case> Cases()
    {
        const string Json = FuzzCorpus.Json;
        const string Yaml = FuzzCorpus.Yaml;
        string ConfigMaps(string ns) => $"/api/v1/namespaces/{ns}/configmaps";
        string Deployments(string ns) => $"/apis/apps/v1/namespaces/{ns}/deployments";
        string DryRun(string path) => FuzzCorpus.With(path, FuzzCorpus.DryRun);
        FuzzRequest Post(string path, string body, Expect expect, string type = Json) => FuzzRequest.Text("known bug", "POST", path, type, body, expect);
        FuzzRequest Patch(string path, string type, string body, Expect expect) => FuzzRequest.Text("known bug", "PATCH", path, type, body, expect);
        FuzzRequest Get(string path, Expect expect) => FuzzRequest.Text("known bug", "GET", path, null, null, expect);
        string ConfigMap(string name, string extra = "") => $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}}{extra}}}";
        var deployment = Targets.Deployments.Manifest("known").ToJsonString();

        // --- Crashes and resource exhaustion ---
        yield return new Case(
            "Yaml.DeepFlowNesting.CrashesTheServer",
            "YAML flow sequences nested 40,000 deep overflow the stack in YamlDotNet's YamlStream.Load: the process dies (a one-request DoS, any authenticated user); kube-apiserver answers 400",
            ns => Post(ConfigMaps(ns), new string('[', 40_000) + new string(']', 40_000), Expect.ClientError, Yaml))
        { Isolated = true };
        yield return new Case(
            "Yaml.AliasBomb.ExhaustsMemory",
            "A 400-byte YAML 'billion laughs' (9 levels of aliases, 9^9 nodes) is expanded without limit (level 7 already takes 4 s and 800 MB); kube-apiserver refuses excessive aliasing with 400",
            ns => Post(DryRun(ConfigMaps(ns)), AliasBomb(9), Expect.ClientError, Yaml) with { Limit = TimeSpan.FromSeconds(10) })
        { Isolated = true };

        // --- 500 Internal errors for client mistakes ---
        yield return new Case(
            "Yaml.NonScalarKey.Is500",
            "A YAML mapping key that is not a scalar throws InvalidCastException in YamlToJson: 500 instead of 400",
            ns => Post(ConfigMaps(ns), "? [a]\n: b\n", Expect.ClientError, Yaml));
        yield return new Case(
            "Json.IntOrStringAsObject.Is500",
            "An object, array or boolean where an IntOrString belongs (maxSurge, maxUnavailable, probe ports, targetPort) throws NotSupportedException in the model's converter, which BodyReader does not map: 500 instead of 400",
            ns => Post(DryRun(Deployments(ns)), deployment.Replace("\"maxSurge\":\"25%\"", "\"maxSurge\":{\"a\":1}", StringComparison.Ordinal), Expect.ClientError));
        yield return new Case(
            "Json.QuantityNaN.Is500",
            "The quantity \"NaN\" throws DivideByZeroException in the model's ResourceQuantity converter: 500 instead of 400",
            ns => Post(DryRun($"/api/v1/namespaces/{ns}/pods"), "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"nan\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"requests\":{\"memory\":\"NaN\"}}}]}}", Expect.ClientError));
        yield return new Case(
            "Json.InvalidUtf8InString.Is500",
            "Invalid UTF-8 inside a JSON string passes JsonNode.Parse and throws InvalidOperationException ('Cannot transcode invalid UTF-8') when read: 500; kube-apiserver decodes it (as U+FFFD) or refuses it with 400",
            ns => new FuzzRequest("known bug", "POST", DryRun(ConfigMaps(ns)), Json, [.. Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"utf8\"},\"data\":{\"k\":\""), 0xff, 0xfe, .. "\"}}"u8.ToArray()], Expect.ClientErrorOr(201)));
        yield return new Case(
            "Json.NonAsciiUnknownField.Is500",
            "An unknown field whose name is not ASCII (or holds a control character) becomes a Warning header that Kestrel refuses to write: 500; kube-apiserver accepts the object with a warning",
            ns => Post(DryRun(ConfigMaps(ns)), ConfigMap("warned", ",\"b\u00f6gus\":1"), Expect.ClientErrorOr(201)));
        yield return new Case(
            "Json.DuplicateField.Is500",
            "A field given twice throws ArgumentException ('An item with the same key') from JsonObject: 500; kube-apiserver keeps the last one and warns (fieldValidation Warn, the default)",
            ns => Post(DryRun(ConfigMaps(ns)), ConfigMap("duplicate", ",\"data\":{\"a\":\"1\"},\"data\":{\"b\":\"2\"}"), Expect.Code(201)));
        yield return new Case(
            "Json.DuplicateFieldStrict.Is500",
            "With fieldValidation=Strict a duplicate field must be refused with 400 'strict decoding error: duplicate field'; it is a 500",
            ns => Post(FuzzCorpus.With(ConfigMaps(ns), "fieldValidation=Strict&dryRun=All"), ConfigMap("duplicate", ",\"data\":{\"a\":\"1\"},\"data\":{\"b\":\"2\"}"), Expect.Code(400)));
        yield return new Case(
            "Watch.TimeoutSecondsOverflow.Is500",
            "timeoutSeconds too large for a TimeSpan throws OverflowException in WatchHandler: 500; kube-apiserver starts the watch",
            ns => Get(FuzzCorpus.With(ConfigMaps(ns), "watch=true&timeoutSeconds=999999999999999"), Expect.ClientErrorOrWatch));
        foreach (var (id, patch) in new[]
        {
            ("UnknownDirective", "{\"$patch\":\"explode\"}"),
            ("ListItemWithoutMergeKey", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}"),
            ("ListItemsOfAnotherType", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[5]}}}}"),
            ("SetElementOrderNotAList", "{\"metadata\":{\"$setElementOrder/finalizers\":\"x\"}}"),
        })
        {
            yield return new Case(
                $"StrategicMergePatch.{id}.Is500",
                "A malformed strategic merge patch gets 500 InternalError (kube-apiserver does the same for the strategic-merge errors it does not classify, and Cetus copies it): a client error should be a 4xx",
                ns => Patch(DryRun(Deployments(ns) + "/target"), FuzzCorpus.StrategicMergePatch, patch, Expect.ClientError));
        }

        // --- PATCH changes what must not change ---
        foreach (var (id, type, patch) in new[]
        {
            ("JsonPatchReplacesName", FuzzCorpus.JsonPatch, "[{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":\"renamed\"}]"),
            ("MergePatchReplacesName", FuzzCorpus.MergePatch, "{\"metadata\":{\"name\":\"renamed\"}}"),
            ("MergePatchRemovesName", FuzzCorpus.MergePatch, "{\"metadata\":{\"name\":null}}"),
            ("MergePatchRemovesMetadata", FuzzCorpus.MergePatch, "{\"metadata\":null}"),
            ("StrategicMergePatchDeletesMetadata", FuzzCorpus.StrategicMergePatch, "{\"metadata\":{\"$patch\":\"delete\"}}"),
        })
        {
            yield return new Case(
                $"Patch.{id}",
                "A PATCH may change or remove metadata.name: the object stays under its old key with another name or none (the PUT path checks the name, PATCH does not); kube-apiserver refuses it",
                ns => Patch(ConfigMaps(ns) + "/target", type, patch, Expect.ClientError))
            {
                After = async (client, ns) => await NameOfAsync(client, ConfigMaps(ns) + "/target") is var name && name == "target" ? null : $"configmaps/target is now named {name ?? "nothing"}",
            };
        }

        yield return new Case(
            "Patch.JsonPatchAddWithoutValueStoresNull",
            "A JSON patch 'add' without a value adds null (evanphx v4, as Kubernetes), which Kubernetes decodes to the empty label value; Cetus stores a null label value",
            ns => Patch(ConfigMaps(ns) + "/target", FuzzCorpus.JsonPatch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\"}]", Expect.Code(200)))
        {
            Writes = true,
            After = async (client, ns) =>
            {
                var response = await client.SendAsync(FuzzRequest.Text("read", "GET", ConfigMaps(ns) + "/target", null, null, Expect.Code(200)));
                using var json = JsonDocument.Parse(response.Body);
                return json.RootElement.GetProperty("metadata").GetProperty("labels").GetProperty("x").ValueKind == JsonValueKind.String ? null : "label x is stored as " + json.RootElement.GetProperty("metadata").GetProperty("labels").GetProperty("x").GetRawText();
            },
        };

        // --- Paths: dot segments are resolved before routing, so a name of ".." or "." addresses something else ---
        yield return new Case(
            "Path.DotDotNameDeletesTheNamespace",
            "DELETE …/configmaps/.. is resolved (by Kestrel) to DELETE /api/v1/namespaces/{ns}: it deletes the namespace; kube-apiserver refuses the name",
            ns => FuzzRequest.Text("known bug", "DELETE", ConfigMaps(ns) + "/..", null, null, Expect.ClientError))
        {
            After = async (client, ns) => await ExistsAsync(client, $"/api/v1/namespaces/{ns}") ? null : $"namespace {ns} is gone",
        };
        yield return new Case(
            "Path.EncodedDotDotNameDeletesTheNamespace",
            "DELETE …/configmaps/%2e%2e is decoded and resolved like '..': it deletes the namespace",
            ns => FuzzRequest.Text("known bug", "DELETE", ConfigMaps(ns) + "/%2e%2e", null, null, Expect.ClientError))
        {
            After = async (client, ns) => await ExistsAsync(client, $"/api/v1/namespaces/{ns}") ? null : $"namespace {ns} is gone",
        };
        yield return new Case(
            "Path.DotNameDeletesTheCollection",
            "DELETE …/configmaps/. is resolved to DELETE …/configmaps: a delete-collection of every configmap in the namespace",
            ns => FuzzRequest.Text("known bug", "DELETE", ConfigMaps(ns) + "/.", null, null, Expect.ClientError))
        {
            After = async (client, ns) => await ExistsAsync(client, ConfigMaps(ns) + "/target") ? null : "configmaps/target is gone",
        };
        yield return new Case(
            "Path.EncodedDotDotNameReadsTheNamespace",
            "GET …/configmaps/%2e%2e answers with the Namespace object instead of refusing the name",
            ns => Get(ConfigMaps(ns) + "/%2e%2e", Expect.ClientError));
        yield return new Case(
            "Path.DotDotNamespaceListsEverywhere",
            "GET /api/v1/namespaces/../secrets lists the secrets of every namespace; kube-apiserver lists namespace '..' (nothing) or refuses it",
            ns => Get("/api/v1/namespaces/../secrets", Expect.That("a 4xx Status or an empty list", r =>
                r.Code is >= 400 and < 500 ? Expect.StatusProblem(r) : r.Code == 200 && r.BodyText.Contains("\"items\":[]", StringComparison.Ordinal) ? null : $"{r.Code} listing secrets beyond the namespace")));
        yield return new Case(
            "Path.NamespacesInsideANamespaceLists",
            "GET /api/v1/namespaces/{ns}/namespaces lists all namespaces (namespaces are cluster-scoped; kube-apiserver answers 404)",
            ns => Get($"/api/v1/namespaces/{ns}/namespaces", Expect.Code(404)));
        yield return new Case(
            "Path.NamespacesInsideANamespaceDeletes",
            "DELETE /api/v1/namespaces/{ns}/namespaces/{ns} deletes the namespace (kube-apiserver answers 404)",
            ns => FuzzRequest.Text("known bug", "DELETE", $"/api/v1/namespaces/{ns}/namespaces/{ns}", null, null, Expect.Code(404)))
        {
            After = async (client, ns) => await ExistsAsync(client, $"/api/v1/namespaces/{ns}") ? null : $"namespace {ns} is gone",
        };

        yield return new Case(
            "Query.NameCaseIsIgnored.Limit",
            "Query parameter names are case-sensitive in Kubernetes: LIMIT=abc is an unknown parameter (ignored, 200); Cetus reads it as limit and answers 400",
            ns => Get(FuzzCorpus.With(ConfigMaps(ns), "LIMIT=abc"), Expect.Code(200)));
        yield return new Case(
            "Query.NameCaseIsIgnored.Watch",
            "Watch=true is an unknown parameter to Kubernetes (a list); Cetus starts a watch",
            ns => Get(FuzzCorpus.With(ConfigMaps(ns), "Watch=true&timeoutSeconds=1"), Expect.That("a list", r => r is { Code: 200, Streamed: false } ? null : $"{r.Code}{(r.Streamed ? " (a watch stream)" : string.Empty)}")));
        yield return new Case(
            "Query.WatchFlagYes.Lists",
            "Kubernetes reads a boolean parameter as true unless it is 'false' or '0', so watch=yes watches; Cetus lists",
            ns => Get(FuzzCorpus.With(ConfigMaps(ns), "watch=yes&timeoutSeconds=1"), Expect.WatchStream));
        yield return new Case(
            "DeleteCollection.BadPropagationPolicyOnEmptyCollection",
            "DeleteOptions are validated per object, so a bad propagationPolicy passes when nothing matches; kube-apiserver refuses it with 400 first",
            ns => FuzzRequest.Text("known bug", "DELETE", FuzzCorpus.With(ConfigMaps(ns), "propagationPolicy=Bogus&labelSelector=none%3Dnone"), null, null, Expect.Code(400)));

        // --- Kestrel's limits answer before the API server, without a Status (Go's are 1 MiB of headers) ---
        foreach (var http in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            var v = http == HttpVersion.Version11 ? "Http11" : "Http2";
            yield return new Case(
                $"Limits.LongPath.{v}",
                "A request line over 8 KiB gets Kestrel's 414 without a Status (HTTP/1.1) or a reset stream (HTTP/2); kube-apiserver answers 404 NotFound",
                ns => Get(ConfigMaps(ns) + "/" + new string('a', 9000), Expect.ClientError))
            { Http = http };
            yield return new Case(
                $"Limits.ManyHeaders.{v}",
                "More than 100 request headers get Kestrel's 431 without a Status; kube-apiserver serves the request",
                ns => Get(ConfigMaps(ns), Expect.Code(200)) with { Headers = Enumerable.Range(0, 120).ToDictionary(i => $"X-Fuzz-{i}", _ => "h") })
            { Http = http };
        }

        // Over HTTP/2 the client itself refuses: Kestrel announces the same 32 KiB as SETTINGS_MAX_HEADER_LIST_SIZE.
        yield return new Case(
            "Limits.LargeHeader.Http11",
            "A 40 KiB header gets Kestrel's 431 without a Status; kube-apiserver serves the request",
            ns => Get(ConfigMaps(ns), Expect.Code(200)) with { Headers = new Dictionary<string, string> { ["X-Fuzz"] = new string('h', 40 * 1024) } });

        // --- Decoding and validation that Kubernetes does and Cetus does not (yet) ---
        yield return new Case(
            "Create.WithoutKindAndApiVersion",
            "Kubernetes takes a missing kind and apiVersion from the URL (gvkWithDefaults), as @kubernetes/client-node's README relies on; Cetus answers 400 'Object Kind is missing'",
            ns => Post(ConfigMaps(ns), "{\"metadata\":{\"name\":\"kindless\"},\"data\":{\"k\":\"v\"}}", Expect.Code(201)))
        { Writes = true };
        foreach (var (id, name) in new[] { ("Uppercase", "UPPER"), ("TooLong", new string('a', 254)), ("EmptyLabel", "a..b"), ("NotAscii", "\u00fcn\u00ef"), ("Underscore", "a_b") })
        {
            yield return new Case(
                $"Validate.ConfigMapName.{id}",
                "A ConfigMap name must be a DNS subdomain (RFC 1123, at most 253 characters); Cetus stores it",
                ns => Post(ConfigMaps(ns), ConfigMap(name), Expect.Code(422)));
        }

        yield return new Case(
            "Validate.NamespaceName.Uppercase",
            "A Namespace name must be a DNS label; Cetus stores it",
            _ => Post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"UPPER\"}}", Expect.Code(422)));
        yield return new Case(
            "Validate.LabelKey",
            "A label key must be a qualified name; Cetus stores 'bad key!'",
            ns => Post(ConfigMaps(ns), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"labelled\",\"labels\":{\"bad key!\":\"v\"}}}", Expect.Code(422)));
        yield return new Case(
            "Validate.LabelKeyByJsonPatch",
            "A JSON patch adding the label '~2' (evanphx v4 leaves the bad escape as is) must fail validation; Cetus stores it",
            ns => Patch(ConfigMaps(ns) + "/target", FuzzCorpus.JsonPatch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/~2\",\"value\":\"x\"}]", Expect.Code(422)));
    }

    /// <summary>A YAML 'billion laughs': levels of anchors, each holding nine aliases of the one before.</summary>
    private static string AliasBomb(int levels)
    {
        var yaml = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < levels; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(',', Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        return yaml.ToString();
    }

    private static async Task SeedAsync(CetusServerProcess server, string ns)
    {
        using var client = new ApiClient(server, HttpVersion.Version11);
        var namespaced = Targets.Namespaces.Manifest(ns).ToJsonString();
        var created = await client.SendAsync(FuzzRequest.Text("seed", "POST", "/api/v1/namespaces", FuzzCorpus.Json, namespaced, Expect.Code(201)));
        Assert.True(created.Code == 201, $"POST namespace {ns}: {created}");
        await FuzzServerFixture.CreateDefaultServiceAccountAsync(client, ns);
        foreach (var target in Targets.Seeded)
        {
            var collection = target.Collection.Replace($"/namespaces/{Targets.Namespace}/", $"/namespaces/{ns}/", StringComparison.Ordinal);
            var response = await client.SendAsync(FuzzRequest.Text("seed", "POST", collection, FuzzCorpus.Json, target.Manifest(Targets.ExistingName).ToJsonString(), Expect.Code(201)));
            Assert.True(response.Code == 201, $"POST {collection}: {response}");
        }
    }

    private static async Task<List<string>> SnapshotAsync(ApiClient client, string ns)
    {
        var entries = new List<string>();
        foreach (var list in Targets.Watched.Where(l => l.Contains($"/namespaces/{Targets.Namespace}/", StringComparison.Ordinal)))
        {
            var path = list.Replace($"/namespaces/{Targets.Namespace}/", $"/namespaces/{ns}/", StringComparison.Ordinal);
            var response = await client.SendAsync(FuzzRequest.Text("snapshot", "GET", path, null, null, Expect.Code(200)));
            if (response.Code != 200)
            {
                entries.Add($"{path}: {response.Code}");
                continue;
            }

            using var json = JsonDocument.Parse(response.Body);
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                var metadata = item.GetProperty("metadata");
                var name = metadata.TryGetProperty("name", out var n) ? n.GetString() : "(no name)";
                entries.Add($"{path}: {name}@{metadata.GetProperty("resourceVersion").GetString()}");
            }
        }

        entries.Add(await ExistsAsync(client, $"/api/v1/namespaces/{ns}") ? $"namespace {ns}" : $"no namespace {ns}");
        return entries;
    }

    private static async Task<bool> ExistsAsync(ApiClient client, string path) =>
        (await client.SendAsync(FuzzRequest.Text("exists", "GET", path, null, null, Expect.Code(200)))).Code == 200;

    private static async Task<string?> NameOfAsync(ApiClient client, string path)
    {
        var response = await client.SendAsync(FuzzRequest.Text("read", "GET", path, null, null, Expect.Code(200)));
        if (response.Code != 200)
        {
            return null;
        }

        using var json = JsonDocument.Parse(response.Body);
        return json.RootElement.GetProperty("metadata").TryGetProperty("name", out var name) ? name.GetString() : null;
    }

    /// <summary>The server the cases share; started again if a case brought it down.</summary>
    public sealed class SharedServer : IAsyncLifetime
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private CetusServerProcess? _server;

        public async Task<CetusServerProcess> ServerAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_server is { IsRunning: true })
                {
                    return _server;
                }

                if (_server is not null)
                {
                    await _server.DisposeAsync();
                }

                _server = await CetusServerProcess.StartAsync(environment: LimitedHeap, arguments: FuzzServer.Arguments);
                return _server;
            }
            finally
            {
                _gate.Release();
            }
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            _gate.Dispose();
        }
    }
}
