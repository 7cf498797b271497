using System.Text;
using System.Text.Json.Nodes;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>The hostile patches, huge bodies and deeply nested documents.</summary>
public static partial class FuzzCorpus
{
    internal static readonly string[] BadJsonPatches =
    [
        "{}", "5", "\"x\"", "[1]", "[{}]", "[{\"op\":\"add\"}]", "[{\"op\":\"explode\",\"path\":\"/x\"}]", "[{\"op\":\"add\",\"path\":\"x\",\"value\":1}]",
        "[{\"op\":\"add\",\"path\":\"/a/b/c\",\"value\":1}]", "[{\"op\":\"remove\",\"path\":\"/nope\"}]",
        "[{\"op\":\"move\",\"from\":\"/nope\",\"path\":\"/x\"}]",
        "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"nope\"}]",
        "[{\"op\":\"replace\",\"path\":\"\",\"value\":5}]", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{}}]", "[{\"op\":\"add\",\"path\":\"/kind\",\"value\":\"Pod\"}]",
        "[{\"op\":\"add\",\"path\":\"/apiVersion\",\"value\":\"v9\"}]", "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":5}]",
        "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":[1]}]", "[{\"op\":\"add\",\"path\":\"/metadata/resourceVersion\",\"value\":\"1\"}]",
        "[{\"op\":\"add\",\"path\":\"/metadata\",\"value\":5}]", "[{\"op\":\"move\",\"from\":\"/metadata\",\"path\":\"/metadata/x\"}]",
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"},{\"op\":\"test\",\"path\":\"/metadata/labels/x\",\"value\":\"z\"}]",
        "[{\"op\":\"add\",\"value\":1}]", "[{\"op\":5,\"path\":\"/x\",\"value\":1}]",
        "[{\"op\":\"add\",\"path\":5,\"value\":1}]", "[{\"op\":\"add\",\"path\":\"/metadata/labels/-\",\"value\":\"x\"},5]", "[null]",
        "[{\"op\":\"add\",\"path\":\"/metadata/annotations/99999999999999999999\",\"value\":5}]",
    ];

    internal static readonly string[] BadMergePatches =
    [
        "[]", "5", "\"x\"", "true", "null", "{\"metadata\":5}", "{\"metadata\":{\"labels\":5}}", "{\"metadata\":{\"labels\":{\"x\":5}}}",
        "{\"metadata\":{\"labels\":{\"x\":{}}}}", "{\"metadata\":{\"resourceVersion\":\"abc\"}}", "{\"metadata\":{\"creationTimestamp\":\"yesterday\"}}",
        "{\"metadata\":{\"uid\":5}}", "{\"metadata\":{\"ownerReferences\":5}}", "{\"metadata\":{\"finalizers\":\"x\"}}", "{\"kind\":\"Secret\",\"apiVersion\":\"v9\"}",
        "{\"metadata\":{\"generation\":\"x\"}}",
    ];

    internal static readonly string[] BadStrategicMergePatches =
    [
        "[]", "5", "\"x\"", "{\"metadata\":5}", "{\"metadata\":{\"labels\":5}}", "{\"metadata\":{\"labels\":{\"x\":5}}}", "{\"$retainKeys\":5}",
        "{\"metadata\":{\"$retainKeys\":5}}", "{\"metadata\":{\"$retainKeys\":[\"labels\"],\"annotations\":{\"x\":\"y\"}}}", "{\"$patch\":\"delete\"}",
        "{\"$patch\":\"replace\"}", "{\"metadata\":{\"finalizers\":[{\"a\":1}]}}", "{\"metadata\":{\"resourceVersion\":\"abc\"}}",
        "{\"metadata\":{\"ownerReferences\":[{\"uid\":5}]}}",
    ];

    internal static readonly string[] BadDeploymentPatches =
    [
        "{\"spec\":{\"replicas\":\"x\"}}", "{\"spec\":{\"replicas\":1.5}}", "{\"spec\":{\"template\":5}}", "{\"spec\":{\"template\":{\"spec\":{\"containers\":{\"name\":\"x\"}}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":5}]}}}}", "{\"spec\":{\"selector\":[]}}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"lots\"}}}]}}}}",
        "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1.5}}}}",
    ];

    private static IEnumerable<FuzzRequest> Patches()
    {
        foreach (var target in Targets.Seeded)
        {
            var item = target.Object(Targets.ExistingName);
            foreach (var patch in BadJsonPatches)
            {
                yield return FuzzRequest.Text($"PATCH a {target.Kind} with a bad JSON patch", "PATCH", item, JsonPatch, patch, Expect.ClientError);
            }

            foreach (var patch in BadMergePatches)
            {
                yield return FuzzRequest.Text($"PATCH a {target.Kind} with a bad merge patch", "PATCH", item, MergePatch, patch, Expect.ClientError);
            }

            foreach (var patch in BadStrategicMergePatches)
            {
                yield return FuzzRequest.Text($"PATCH a {target.Kind} with a bad strategic merge patch", "PATCH", item, StrategicMergePatch, patch, Expect.ClientError);
            }

            foreach (var patch in BrokenJson.Where(b => b is not ("{}" or "null" or "[]")))
            {
                foreach (var type in new[] { JsonPatch, MergePatch, StrategicMergePatch })
                {
                    yield return FuzzRequest.Text($"PATCH a {target.Kind} with a broken {type}", "PATCH", item, type, patch, Expect.ClientError);
                }
            }

            foreach (var patch in BrokenYaml.Take(10))
            {
                yield return FuzzRequest.Text($"PATCH a {target.Kind} with a broken apply patch", "PATCH", item, ApplyPatch, patch, Expect.ClientError);
            }

            // Stale preconditions conflict.
            yield return FuzzRequest.Text($"PATCH a {target.Kind} with a stale resourceVersion", "PATCH", item, MergePatch, "{\"metadata\":{\"resourceVersion\":\"1\"}}", Expect.Code(409));
            yield return FuzzRequest.Text($"PUT a {target.Kind} with a stale resourceVersion", "PUT", item, Json, WithResourceVersion(target.Manifest(Targets.ExistingName), "1"), Expect.Code(409));
        }

        var deployment = Targets.Deployments.Object(Targets.ExistingName);
        foreach (var patch in BadDeploymentPatches)
        {
            yield return FuzzRequest.Text("PATCH a Deployment with a merge patch of the wrong type", "PATCH", deployment, MergePatch, patch, Expect.ClientError);
            yield return FuzzRequest.Text("PATCH a Deployment with a strategic merge patch of the wrong type", "PATCH", deployment, StrategicMergePatch, patch, Expect.ClientError);
        }

        var scale = Targets.Deployments.Object("target/scale");
        foreach (var patch in new[] { "{\"spec\":{\"replicas\":\"x\"}}", "{\"spec\":5}", "[]", "{", "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":3}}" })
        {
            yield return FuzzRequest.Text("PATCH a scale with a bad merge patch", "PATCH", scale, MergePatch, patch, Expect.ClientError);
        }

        foreach (var patch in new[] { "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":\"x\"}]", "[{\"op\":\"remove\",\"path\":\"/nope\"}]", "{}" })
        {
            yield return FuzzRequest.Text("PATCH a scale with a bad JSON patch", "PATCH", scale, JsonPatch, patch, Expect.ClientError);
        }

        // More JSON patch operations than Kubernetes applies.
        var many = "[" + string.Join(',', Enumerable.Repeat("{\"op\":\"test\",\"path\":\"/kind\",\"value\":\"ConfigMap\"}", 10_001)) + "]";
        yield return FuzzRequest.Text("PATCH with 10,001 JSON patch operations", "PATCH", Targets.ConfigMaps.Object(Targets.ExistingName), JsonPatch, many, Expect.ClientError);

        // JSON patch operations on missing paths that evanphx/json-patch v4, and so Kubernetes, lets through: a dry run.
        foreach (var patch in new[] { "[{\"op\":\"replace\",\"path\":\"/nope\",\"value\":1}]", "[{\"op\":\"copy\",\"from\":\"/nope\",\"path\":\"/x\"}]" })
        {
            foreach (var target in Targets.Seeded)
            {
                yield return FuzzRequest.Text("PATCH with a JSON patch Kubernetes lets through (dry run)", "PATCH", With(target.Object(Targets.ExistingName), DryRun), JsonPatch, patch, Expect.ClientErrorOr(200));
            }
        }

        // Odd directives that Kubernetes may accept: a dry run, and no 5xx.
        foreach (var patch in new[] { "{\"$deleteFromPrimitiveList/finalizers\":5}", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":5}}", "{\"metadata\":{\"labels\":{\"$patch\":\"replace\"}}}", "{\"metadata\":{\"labels\":{\"$patch\":\"delete\"}}}" })
        {
            yield return FuzzRequest.Text("PATCH with an odd strategic merge directive (dry run)", "PATCH", With(Targets.ConfigMaps.Object(Targets.ExistingName), DryRun), StrategicMergePatch, patch, Expect.ClientErrorOr(200));
        }
    }

    private static IEnumerable<FuzzRequest> Huge()
    {
        var over = (int)BodyLimit + 64 * 1024;
        var bigValue = new string('x', over);
        var cm = Targets.ConfigMaps;
        var item = cm.Object(Targets.ExistingName);
        var bigConfigMap = cm.Manifest("huge");
        bigConfigMap["data"] = new JsonObject { ["k"] = bigValue };
        var bigJson = Encoding.UTF8.GetBytes(bigConfigMap.ToJsonString());
        var bigYaml = Encoding.UTF8.GetBytes($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  k: {bigValue}\n");
        var bigPatch = Encoding.UTF8.GetBytes($"{{\"data\":{{\"k\":\"{bigValue}\"}}}}");
        var bigJsonPatch = Encoding.UTF8.GetBytes($"[{{\"op\":\"add\",\"path\":\"/data/k\",\"value\":\"{bigValue}\"}}]");
        var spaces = Encoding.UTF8.GetBytes(new string(' ', over) + "{}");

        yield return new FuzzRequest("POST a JSON body over 3 MiB", "POST", cm.Collection, Json, bigJson, Expect.Code(413));
        yield return new FuzzRequest("POST a JSON body over 3 MiB (dry run)", "POST", With(cm.Collection, DryRun), Json, bigJson, Expect.Code(413));
        yield return new FuzzRequest("POST a YAML body over 3 MiB", "POST", cm.Collection, Yaml, bigYaml, Expect.Code(413));
        yield return new FuzzRequest("POST 3 MiB of spaces", "POST", cm.Collection, Json, spaces, Expect.Code(413));
        yield return new FuzzRequest("POST a body over 3 MiB without a Content-Length", "POST", cm.Collection, Json, bigJson, Expect.Code(413)) { Chunked = true };
        yield return new FuzzRequest("POST a deployment over 3 MiB", "POST", Targets.Deployments.Collection, Json, bigJson, Expect.Code(413));
        yield return new FuzzRequest("PUT a body over 3 MiB", "PUT", item, Json, bigJson, Expect.Code(413));
        yield return new FuzzRequest("PATCH a merge patch over 3 MiB", "PATCH", item, MergePatch, bigPatch, Expect.Code(413));
        yield return new FuzzRequest("PATCH a strategic merge patch over 3 MiB", "PATCH", item, StrategicMergePatch, bigPatch, Expect.Code(413));
        yield return new FuzzRequest("PATCH a JSON patch over 3 MiB", "PATCH", item, JsonPatch, bigJsonPatch, Expect.Code(413));
        yield return new FuzzRequest("PATCH an apply patch over 3 MiB", "PATCH", item, ApplyPatch, bigYaml, Expect.Code(413));
        yield return new FuzzRequest("PATCH a scale over 3 MiB", "PATCH", Targets.Deployments.Object("target/scale"), MergePatch, bigPatch, Expect.Code(413));
        yield return new FuzzRequest("DELETE with a body over 3 MiB", "DELETE", item, Json, spaces, Expect.Code(413));
        yield return new FuzzRequest("DELETE a collection with a body over 3 MiB", "DELETE", cm.Collection, Json, spaces, Expect.Code(413));
        yield return new FuzzRequest("POST a binding over 3 MiB", "POST", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, spaces, Expect.Code(413));
        yield return new FuzzRequest("PUT a scale over 3 MiB", "PUT", Targets.Deployments.Object("target/scale"), Json, spaces, Expect.Code(413));

        // Just under the limit: the request is fine; whether the object is, is the server's to say (a dry run).
        var under = cm.Manifest("almost-huge");
        under["data"] = new JsonObject { ["k"] = new string('x', (int)BodyLimit - 4096) };
        yield return FuzzRequest.Text("POST a body just under 3 MiB (dry run)", "POST", With(cm.Collection, DryRun), Json, under.ToJsonString(), Expect.ClientErrorOr(201));

        // Headers and query strings that are long, but within what HTTP servers accept.
        yield return new FuzzRequest("GET with a 12 KiB header", "GET", cm.Collection, null, null, Expect.Code(200)) { Headers = new Dictionary<string, string> { ["X-Fuzz"] = new string('h', 12 * 1024) } };
        yield return new FuzzRequest("GET with 50 headers", "GET", cm.Collection, null, null, Expect.Code(200)) { Headers = Enumerable.Range(0, 50).ToDictionary(i => $"X-Fuzz-{i}", i => new string('h', 50)) };
        yield return FuzzRequest.Text("GET with a 6 KiB query", "GET", With(cm.Collection, "labelSelector=" + string.Join("%2C", Enumerable.Range(0, 600).Select(i => $"k{i}"))), null, null, Expect.ClientErrorOr(200));
        yield return FuzzRequest.Text("GET with 1,000 parameters", "GET", With(cm.Collection, string.Join('&', Enumerable.Range(0, 1000).Select(i => $"p{i}=1"))), null, null, Expect.Code(200));
    }

    private static IEnumerable<FuzzRequest> Deep()
    {
        const int depth = 10_000;
        var arrays = new string('[', depth) + new string(']', depth);
        var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        string Wrapped(string kind, string apiVersion, string inner) => $"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{\"name\":\"deep\"}},\"data\":{{\"k\":{inner}}}}}";
        var item = Targets.ConfigMaps.Object(Targets.ExistingName);

        foreach (var (label, nested) in new[] { ("arrays", arrays), ("objects", objects) })
        {
            foreach (var target in new[] { Targets.ConfigMaps, Targets.Deployments, Targets.Namespaces })
            {
                yield return FuzzRequest.Text($"POST JSON {label} nested {depth} deep to {target.Kind}", "POST", target.Collection, Json, nested, Expect.ClientError);
                yield return FuzzRequest.Text($"POST a {target.Kind} with {label} nested {depth} deep inside", "POST", target.Collection, Json, Wrapped(target.Kind, target.ApiVersion, nested), Expect.ClientError);
            }

            yield return FuzzRequest.Text($"PUT JSON {label} nested {depth} deep", "PUT", item, Json, Wrapped("ConfigMap", "v1", nested), Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH a merge patch of {label} nested {depth} deep", "PATCH", item, MergePatch, nested, Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH a merge patch with {label} nested {depth} deep inside", "PATCH", item, MergePatch, $"{{\"data\":{{\"k\":{nested}}}}}", Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH a strategic merge patch with {label} nested {depth} deep", "PATCH", item, StrategicMergePatch, $"{{\"metadata\":{{\"labels\":{nested}}}}}", Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH a JSON patch with {label} nested {depth} deep", "PATCH", item, JsonPatch, $"[{{\"op\":\"add\",\"path\":\"/data/k\",\"value\":{nested}}}]", Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH a scale with {label} nested {depth} deep", "PATCH", Targets.Deployments.Object("target/scale"), MergePatch, nested, Expect.ClientError);
            yield return FuzzRequest.Text($"DELETE with DeleteOptions of {label} nested {depth} deep", "DELETE", item, Json, $"{{\"preconditions\":{nested}}}", Expect.ClientError);
            yield return FuzzRequest.Text($"POST a binding of {label} nested {depth} deep", "POST", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, nested, Expect.ClientError);
        }

        // YAML: flow collections 10,000 deep, and block mappings as deep as 3 MiB of indentation allows.
        var flowSequences = new string('[', depth) + new string(']', depth);
        var flowMappings = "a: " + string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth);
        var block = new StringBuilder();
        for (var i = 0; i < 1200; i++)
        {
            block.Append(' ', i).Append("a:\n");
        }

        var blockSequences = new StringBuilder();
        for (var i = 0; i < 1200; i++)
        {
            blockSequences.Append(' ', i * 2).Append("-\n");
        }

        foreach (var (label, yaml) in new[] { ("flow sequences", flowSequences), ("flow mappings", flowMappings), ("block mappings", block.ToString()), ("block sequences", blockSequences.ToString()) })
        {
            yield return FuzzRequest.Text($"POST YAML {label} nested deep", "POST", Targets.ConfigMaps.Collection, Yaml, yaml, Expect.ClientError);
            yield return FuzzRequest.Text($"PUT YAML {label} nested deep", "PUT", item, Yaml, yaml, Expect.ClientError);
            yield return FuzzRequest.Text($"PATCH an apply patch of YAML {label} nested deep", "PATCH", item, ApplyPatch, yaml, Expect.ClientError);
        }

        // As deep as a request line of 8 KiB allows (longer ones are ApiFuzzKnownFailures).
        yield return FuzzRequest.Text("list with a label selector of 2,000 parentheses", "GET", With(Targets.ConfigMaps.Collection, "labelSelector=a%20in%20" + string.Concat(Enumerable.Repeat("%28", 2000))), null, null, Expect.ClientError);
    }
}
