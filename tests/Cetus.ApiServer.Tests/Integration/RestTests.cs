using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

public sealed class RestTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private HttpClient Client => server.Client;

    [Fact]
    public async Task Version_ReportsMinor32()
    {
        var version = await Client.GetFromJsonAsync<JsonObject>("/version");
        Assert.Equal("1", (string?)version!["major"]);
        Assert.Equal("32", (string?)version["minor"]);
    }

    [Fact]
    public async Task NoCredentials_Get401Status()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = Client.BaseAddress };
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", (string?)status!["kind"]);
        Assert.Equal(401, (int?)status["code"]);
    }

    [Fact]
    public async Task Get_SeesEveryAcknowledgedWrite_AndAnUnchangedPutKeepsTheResourceVersion()
    {
        var created = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"read-your-writes"},"data":{"n":"0"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rv = (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"];
        for (var n = 1; n <= 20; n++)
        {
            // Each GET right after the write's answer must show it (consistent reads, whether the cache or the store answers).
            var put = await Client.PutAsync("/api/v1/namespaces/default/configmaps/read-your-writes", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"read-your-writes","resourceVersion":"{{{rv}}}"},"data":{"n":"{{{n}}}"}}"""));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var written = await put.Content.ReadFromJsonAsync<JsonObject>();
            rv = (string?)written!["metadata"]!["resourceVersion"];
            var got = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/read-your-writes");
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)got!["data"]!["n"]);
            Assert.Equal(rv, (string?)got["metadata"]!["resourceVersion"]);
            Assert.True(JsonNode.DeepEquals(written, got));
        }

        var atLeast = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/configmaps/read-your-writes?resourceVersion={rv}");
        Assert.Equal(rv, (string?)atLeast!["metadata"]!["resourceVersion"]);
        var any = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/read-your-writes?resourceVersion=0");
        Assert.Equal("read-your-writes", (string?)any!["metadata"]!["name"]);
        var missing = await Client.GetAsync("/api/v1/namespaces/default/configmaps/never-was?resourceVersion=0");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Sending back exactly what was read changes nothing: no new resourceVersion.
        var current = await Client.GetStringAsync("/api/v1/namespaces/default/configmaps/read-your-writes");
        var same = await Client.PutAsync("/api/v1/namespaces/default/configmaps/read-your-writes", Json(current));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(rv, (string?)(await same.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Events_AreOneStoreServedByBothApis()
    {
        const string Core = "/api/v1/namespaces/default/events";
        const string New = "/apis/events.k8s.io/v1/namespaces/default/events";
        var list = await Client.GetFromJsonAsync<JsonObject>(Core + "?fieldSelector=reason=SharedStore");
        var from = (string?)list!["metadata"]!["resourceVersion"];
        using var watching = await Client.GetAsync($"{Core}?watch=true&resourceVersion={from}&fieldSelector=reason=SharedStore&timeoutSeconds=30", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await watching.Content.ReadAsStreamAsync());
        using var watchingNew = await Client.GetAsync($"{New}?watch=true&resourceVersion={from}&fieldSelector=reason=SharedStore&timeoutSeconds=30", HttpCompletionOption.ResponseHeadersRead);
        using var newEvents = new StreamReader(await watchingNew.Content.ReadAsStreamAsync());

        var created = await Client.PostAsync(New, Json("""{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"shared-1"},"eventTime":"2026-11-27T01:02:03.000000Z","reportingController":"example.com/ctl","reportingInstance":"ctl-1","action":"Scale","reason":"SharedStore","type":"Normal","note":"scaled up","regarding":{"kind":"Deployment","namespace":"default","name":"web","apiVersion":"apps/v1"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Read through core/v1: the same object with the fields under their core names.
        var core = await Client.GetFromJsonAsync<JsonObject>(Core + "/shared-1");
        Assert.Equal("v1", (string?)core!["apiVersion"]);
        Assert.Equal("scaled up", (string?)core["message"]);
        Assert.Equal("web", (string?)core["involvedObject"]!["name"]);
        Assert.Equal("example.com/ctl", (string?)core["reportingComponent"]);
        Assert.Null(core["note"]);
        var seen = JsonNode.Parse((await events.ReadLineAsync())!)!;
        Assert.Equal("ADDED", (string?)seen["type"]);
        Assert.Equal("scaled up", (string?)seen["object"]!["message"]);
        Assert.Equal("v1", (string?)seen["object"]!["apiVersion"]);

        // Written through core/v1, read through events.k8s.io/v1, at the same resourceVersion.
        core["message"] = "scaled up again";
        var updated = await Client.PutAsync(Core + "/shared-1", Json(core.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var rv = (string?)(await updated.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"];
        var fresh = await Client.GetFromJsonAsync<JsonObject>(New + "/shared-1");
        Assert.Equal("events.k8s.io/v1", (string?)fresh!["apiVersion"]);
        Assert.Equal("scaled up again", (string?)fresh["note"]);
        Assert.Equal("web", (string?)fresh["regarding"]!["name"]);
        Assert.Equal(rv, (string?)fresh["metadata"]!["resourceVersion"]);
        Assert.Equal("ADDED", (string?)JsonNode.Parse((await newEvents.ReadLineAsync())!)!["type"]);
        var modified = JsonNode.Parse((await newEvents.ReadLineAsync())!)!;
        Assert.Equal("MODIFIED", (string?)modified["type"]);
        Assert.Equal("events.k8s.io/v1", (string?)modified["object"]!["apiVersion"]);
        Assert.Equal("scaled up again", (string?)modified["object"]!["note"]);
        var listed = await Client.GetFromJsonAsync<JsonObject>(New + "?fieldSelector=reason=SharedStore");
        Assert.Equal("scaled up again", (string?)listed!["items"]!.AsArray().Single()!["note"]);

        var deleted = await Client.DeleteAsync(New + "/shared-1");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(Core + "/shared-1")).StatusCode);
    }

    [Fact]
    public async Task Watch_FromAPastRevision_ReplaysOnlyItsOwnNamespace()
    {
        var list = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps");
        var from = (string?)list!["metadata"]!["resourceVersion"];
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync("/api/v1/namespaces/kube-public/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"replay-elsewhere"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"replay-here"}}"""))).StatusCode);

        // Both changes are in the cache's window before the watch starts: the replay must filter by namespace too.
        using var watching = await Client.GetAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={from}&timeoutSeconds=30", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await watching.Content.ReadAsStreamAsync());
        var first = JsonNode.Parse((await events.ReadLineAsync())!)!;
        Assert.Equal("replay-here", (string?)first["object"]!["metadata"]!["name"]);
        Assert.Equal("default", (string?)first["object"]!["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task SystemNamespaces_ExistAtStart()
    {
        var list = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces");
        var names = list!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToList();
        Assert.Contains("default", names);
        Assert.Contains("kube-system", names);
        Assert.Contains("kube-node-lease", names);
    }

    [Fact]
    public async Task ConfigMap_CreateGetUpdateDelete_FollowsKubernetesRules()
    {
        var created = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud"},"data":{"a":"1"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonObject>();
        var rv = (string?)body!["metadata"]!["resourceVersion"];
        Assert.False(string.IsNullOrEmpty((string?)body["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty(rv));

        var again = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("AlreadyExists", (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);

        var update = await Client.PutAsync("/api/v1/namespaces/default/configmaps/crud", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud","resourceVersion":"{{{rv}}}"},"data":{"a":"2"}}"""));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var stale = await Client.PutAsync("/api/v1/namespaces/default/configmaps/crud", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud","resourceVersion":"{{{rv}}}"},"data":{"a":"3"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var got = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal("2", (string?)got!["data"]!["a"]);

        var deleted = await Client.DeleteAsync("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var missing = await Client.GetAsync("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("configmaps \"crud\" not found", (string?)(await missing.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    [Fact]
    public async Task Create_InAMissingNamespace_Is404()
    {
        var response = await Client.PostAsync("/api/v1/namespaces/nowhere/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"""));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    [Fact]
    public async Task Watch_TimeoutSecondsZero_MeansTheServersLimit()
    {
        // kube-apiserver reads timeoutSeconds=0 as "no limit asked": the watch runs to the server's own limit.
        using var response = await Client.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=0&resourceVersion=0&fieldSelector=metadata.name=zero-timeout", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"zero-timeout"}}"""))).StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await reader.ReadLineAsync(timeout.Token);
        Assert.NotNull(line);
        var added = JsonNode.Parse(line)!;
        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("zero-timeout", (string?)added["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Watch_ThatTimesOut_EndsCleanly_AndItsConnectionServesTheNextRequest()
    {
        using var single = server.CreateClient(maxConnections: 1);
        for (var i = 0; i < 3; i++)
        {
            using var response = await single.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            // A connection aborted at the deadline would throw here instead of ending the stream.
            var rest = await new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token)).ReadToEndAsync(timeout.Token);
            Assert.All(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.NotNull(JsonNode.Parse(l)!["type"]));

            var next = await single.GetAsync("/api/v1/namespaces/default/configmaps?limit=1", timeout.Token);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }
    }

    [Fact]
    public async Task Watch_FromAResourceVersion_StreamsLaterChanges()
    {
        var list = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps");
        var rv = (string?)list!["metadata"]!["resourceVersion"];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=30");
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"watched"}}"""));
        await Client.DeleteAsync("/api/v1/namespaces/default/configmaps/watched");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        var second = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("watched", (string?)first["object"]!["metadata"]!["name"]);
        Assert.Equal("DELETED", (string?)second["type"]);
    }

    [Fact]
    public async Task ManagedFields_FollowEachWrite_WhateverPartOfTheObjectItChanges()
    {
        const string Pod = "/api/v1/namespaces/default/pods/owned-fields";
        var created = await Client.PostAsync("/api/v1/namespaces/default/pods?fieldManager=creator", Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"owned-fields","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // A status write leaves spec and metadata as they were: the creator keeps them, the writer owns only status.
        var status = await Client.PatchAsync(Pod + "/status?fieldManager=statuswriter", new StringContent("""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var statusWritten = await status.Content.ReadFromJsonAsync<JsonObject>();
        var afterStatus = Owned(statusWritten);
        Assert.Equal(["creator", "statuswriter"], afterStatus.Keys.Order());
        // As kube-apiserver: a write through status is an entry of its own, marked with the subresource.
        var statusEntry = statusWritten!["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == "statuswriter")!;
        Assert.Equal("Update", (string?)statusEntry["operation"]);
        Assert.Equal("status", (string?)statusEntry["subresource"]);
        Assert.Null(statusWritten["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == "creator")!["subresource"]);
        Assert.NotNull(afterStatus["creator"]["f:spec"]?["f:containers"]?["k:{\"name\":\"c\"}"]?["f:image"]);
        Assert.NotNull(afterStatus["creator"]["f:metadata"]?["f:labels"]?["f:app"]);
        Assert.Null(afterStatus["creator"]["f:status"]);
        Assert.NotNull(afterStatus["statuswriter"]["f:status"]?["f:phase"]);
        Assert.NotNull(afterStatus["statuswriter"]["f:status"]?["f:conditions"]?["k:{\"type\":\"Ready\"}"]);
        Assert.Null(afterStatus["statuswriter"]["f:spec"]);

        // A spec write takes the field it changed from the creator and leaves status with its writer.
        var spec = await Client.PatchAsync(Pod + "?fieldManager=specwriter", new StringContent("""{"spec":{"activeDeadlineSeconds":60},"metadata":{"labels":{"app":"b"}}}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, spec.StatusCode);
        var afterSpec = Owned(await spec.Content.ReadFromJsonAsync<JsonObject>());
        Assert.NotNull(afterSpec["specwriter"]["f:spec"]?["f:activeDeadlineSeconds"]);
        Assert.NotNull(afterSpec["specwriter"]["f:metadata"]?["f:labels"]?["f:app"]);
        Assert.Null(afterSpec["creator"]["f:metadata"]?["f:labels"]?["f:app"]);
        Assert.NotNull(afterSpec["creator"]["f:spec"]?["f:containers"]);
        Assert.NotNull(afterSpec["statuswriter"]["f:status"]?["f:phase"]);

        // A second status write by the same manager that removes a condition gives it up.
        var again = await Client.PatchAsync(Pod + "/status?fieldManager=statuswriter", new StringContent("""{"status":{"conditions":null}}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var afterAgain = Owned(await again.Content.ReadFromJsonAsync<JsonObject>());
        Assert.Null(afterAgain["statuswriter"]["f:status"]?["f:conditions"]);
        Assert.NotNull(afterAgain["statuswriter"]["f:status"]?["f:phase"]);
        Assert.NotNull(afterAgain["specwriter"]["f:spec"]?["f:activeDeadlineSeconds"]);
        await Client.DeleteAsync(Pod + "?gracePeriodSeconds=0");
    }

    [Fact]
    public async Task ManagedFields_OfCreatesOfOneShape_AreWhatTheirComputationGives()
    {
        // The first create of a shape is computed, the next ones copy it (CreateShapes): both must read the same, but
        // for the time, and another label key or another manager is a shape of its own.
        var key = "shape-" + Guid.NewGuid().ToString("N")[..8];
        async Task<JsonObject> CreateAsync(string name, string label, string manager)
        {
            var response = await Client.PostAsync($"/api/v1/namespaces/default/configmaps?fieldManager={manager}", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{"{{{label}}}":"x"}},"data":{"a":"1"}}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            var stored = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/configmaps/{name}");
            Assert.Equal(created["metadata"]!["managedFields"]!.ToJsonString(), stored!["metadata"]!["managedFields"]!.ToJsonString());
            return created;
        }

        static JsonObject Entry(JsonObject item)
        {
            var entry = item["metadata"]!["managedFields"]!.AsArray().Single()!.AsObject().DeepClone().AsObject();
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)entry["time"]);
            entry.Remove("time");
            return entry;
        }

        var computed = Entry(await CreateAsync(key + "-a", key, "shaper"));
        var copied = Entry(await CreateAsync(key + "-b", key, "shaper"));
        Assert.Equal(computed.ToJsonString(), copied.ToJsonString());
        Assert.Equal("Update", (string?)copied["operation"]);
        Assert.NotNull(copied["fieldsV1"]!["f:metadata"]!["f:labels"]![$"f:{key}"]);
        Assert.NotNull(copied["fieldsV1"]!["f:data"]!["f:a"]);

        var otherLabel = Entry(await CreateAsync(key + "-c", key + "x", "shaper"));
        Assert.Null(otherLabel["fieldsV1"]!["f:metadata"]!["f:labels"]![$"f:{key}"]);
        Assert.NotNull(otherLabel["fieldsV1"]!["f:metadata"]!["f:labels"]![$"f:{key}x"]);
        var otherManager = Entry(await CreateAsync(key + "-d", key, "another"));
        Assert.Equal("another", (string?)otherManager["manager"]);
        foreach (var suffix in new[] { "a", "b", "c", "d" })
        {
            await Client.DeleteAsync($"/api/v1/namespaces/default/configmaps/{key}-{suffix}");
        }
    }

    [Fact]
    public async Task ManagedFields_OfAWriterRewritingFieldsItAloneOwns_StandButForItsTime()
    {
        // A Lease renewed by its holder changes nobody's ownership: the stored entries stand, the holder's with the
        // write's time, in the order kube-apiserver keeps (operation, time, manager); a field another manager writes
        // still moves to it, and the holder's next renewal keeps both entries.
        var name = "renew-" + Guid.NewGuid().ToString("N")[..8];
        var path = $"/apis/coordination.k8s.io/v1/namespaces/default/leases/{name}";
        string Lease(int seconds, string renew) =>
            $$$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"{{{name}}}","namespace":"default"},"spec":{"holderIdentity":"node-a","leaseDurationSeconds":{{{seconds}}},"renewTime":"{{{renew}}}"}}""";
        async Task<JsonObject> WriteAsync(HttpResponseMessage response, HttpStatusCode expected)
        {
            Assert.Equal(expected, response.StatusCode);
            var item = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            var stored = await Client.GetFromJsonAsync<JsonObject>(path);
            Assert.Equal(item["metadata"]!["managedFields"]!.ToJsonString(), stored!["metadata"]!["managedFields"]!.ToJsonString());
            var entries = item["metadata"]!["managedFields"]!.AsArray().Select(e => ((string)e!["time"]!, (string)e["manager"]!)).ToList();
            Assert.All(entries, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e.Item1));
            Assert.Equal(entries.OrderBy(e => e.Item1, StringComparer.Ordinal).ThenBy(e => e.Item2, StringComparer.Ordinal), entries);
            return item;
        }

        var created = await WriteAsync(await Client.PostAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases?fieldManager=holder", Json(Lease(40, "2026-01-01T00:00:00.000000Z"))), HttpStatusCode.Created);
        var renewed = await WriteAsync(await Client.PutAsync(path + "?fieldManager=holder", Json(Lease(40, "2026-01-01T00:00:10.000000Z"))), HttpStatusCode.OK);
        Assert.Equal(Owned(created)["holder"].ToJsonString(), Owned(renewed)["holder"].ToJsonString());
        Assert.Single(Owned(renewed));
        Assert.True(string.CompareOrdinal((string)renewed["metadata"]!["managedFields"]![0]!["time"]!, (string)created["metadata"]!["managedFields"]![0]!["time"]!) >= 0);

        var shortened = await WriteAsync(await Client.PutAsync(path + "?fieldManager=other", Json(Lease(30, "2026-01-01T00:00:10.000000Z"))), HttpStatusCode.OK);
        Assert.Equal("""{"f:spec":{"f:leaseDurationSeconds":{}}}""", Owned(shortened)["other"].ToJsonString());
        Assert.Null(Owned(shortened)["holder"]["f:spec"]!["f:leaseDurationSeconds"]);

        var again = await WriteAsync(await Client.PutAsync(path + "?fieldManager=holder", Json(Lease(30, "2026-01-01T00:00:20.000000Z"))), HttpStatusCode.OK);
        Assert.Equal(Owned(shortened)["holder"].ToJsonString(), Owned(again)["holder"].ToJsonString());
        Assert.Equal(Owned(shortened)["other"].ToJsonString(), Owned(again)["other"].ToJsonString());
        // A MicroTime, written as kube-apiserver does: six fractional digits, even when all zero.
        Assert.Equal("2026-01-01T00:00:20.000000Z", (string?)again["spec"]!["renewTime"]);
        await Client.DeleteAsync(path);
    }

    [Fact]
    public async Task DuplicateFields_AreNamedByTheirPath_StrictRefusesWarnWarns()
    {
        const string Body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-fields","labels":{"a":"1","a":"2"}},"data":{"x":"1"},"data":{"y":"2"}}""";
        var strict = await Client.PostAsync("/api/v1/namespaces/default/configmaps?fieldValidation=Strict&dryRun=All", Json(Body));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var message = (string?)(await strict.Content.ReadFromJsonAsync<JsonObject>())!["message"];
        Assert.Contains("duplicate field \"metadata.labels.a\"", message, StringComparison.Ordinal);

        var warned = await Client.PostAsync("/api/v1/namespaces/default/configmaps?fieldValidation=Warn&dryRun=All", Json(Body));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        var created = (await warned.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("2", (string?)created["metadata"]!["labels"]!["a"]);
        Assert.Equal("2", (string?)created["data"]!["y"]);
        Assert.Null(created["data"]!["x"]);
        // As kube-apiserver writes them: the quotes inside the quoted text escaped with a backslash.
        var warnings = warned.Headers.GetValues("Warning").ToList();
        Assert.Contains("299 - \"duplicate field \\\"metadata.labels.a\\\"\"", warnings);
        Assert.Contains("299 - \"duplicate field \\\"data\\\"\"", warnings);
    }

    [Fact]
    public async Task UnknownAndDuplicateFields_AreAllNamed_StrictInOneError_WarnOnceEach()
    {
        // As kube-apiserver's strict decoding: every finding, duplicates and unknown fields at any depth (in a list's
        // item, in metadata, at the top), in the order of the body, joined in one error under Strict, one warning
        // each under Warn; values the types read themselves (a quantity, a free-form map's keys) are not findings.
        const string Body = """
            {"apiVersion":"v1","kind":"Pod","bogusTop":1,"metadata":{"name":"unknown-fields","labels":{"a":"1","a":"2"},"bogusMeta":"x"},
             "spec":{"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"1"}}},{"name":"d","image":"i","bogusItem":true}],"nodeSelector":{"any-key":"v"}}}
            """;
        var expected = new[] { "unknown field \"bogusTop\"", "duplicate field \"metadata.labels.a\"", "unknown field \"metadata.bogusMeta\"", "unknown field \"spec.containers[1].bogusItem\"" };

        var strict = await Client.PostAsync("/api/v1/namespaces/default/pods?fieldValidation=Strict&dryRun=All", Json(Body));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var message = (string?)(await strict.Content.ReadFromJsonAsync<JsonObject>())!["message"];
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: " + string.Join(", ", expected), message);

        var warned = await Client.PostAsync("/api/v1/namespaces/default/pods?fieldValidation=Warn&dryRun=All", Json(Body));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        var warnings = warned.Headers.GetValues("Warning").ToList();
        Assert.Equal(expected.Select(e => "299 - \"" + e.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""), warnings);
        var created = (await warned.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Null(created["spec"]!["containers"]![1]!["bogusItem"]);

        var ignored = await Client.PostAsync("/api/v1/namespaces/default/pods?fieldValidation=Ignore&dryRun=All", Json(Body));
        Assert.Equal(HttpStatusCode.Created, ignored.StatusCode);
        Assert.False(ignored.Headers.Contains("Warning"));
    }

    // metadata.managedFields by manager: its fieldsV1.
    private static Dictionary<string, JsonNode> Owned(JsonObject? item) =>
        item!["metadata"]!["managedFields"]!.AsArray().ToDictionary(e => (string)e!["manager"]!, e => e!["fieldsV1"]!);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
