using System.Text;
using System.Text.Json.Nodes;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>
/// The hostile requests, by category: hand-written ones here, seeded random ones in FuzzCorpus.Random.cs. Every
/// request aims at <see cref="Targets"/>; none may store anything (writes that Kubernetes could accept carry
/// dryRun=All). Requests that show a known server bug are not here but in <see cref="ApiFuzzKnownFailures"/>.
/// </summary>
public static partial class FuzzCorpus
{
    public const string DryRun = "dryRun=All";

    public const string Json = "application/json";
    public const string Yaml = "application/yaml";
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    private const long BodyLimit = 3 * 1024 * 1024;

    public static IReadOnlyList<string> Categories { get; } =
    [
        "bodies", "kinds", "names", "selectors", "query", "paths", "methods", "content-types", "missing-bodies", "patches", "huge", "deep", "random",
    ];

    /// <summary>The requests of one category; the same every time.</summary>
    public static IReadOnlyList<FuzzRequest> Category(string category) => category switch
    {
        "bodies" => Bodies().ToList(),
        "kinds" => Kinds().ToList(),
        "names" => Names().ToList(),
        "selectors" => Selectors().ToList(),
        "query" => Query().ToList(),
        "paths" => Paths().ToList(),
        "methods" => Methods().ToList(),
        "content-types" => ContentTypes().ToList(),
        "missing-bodies" => MissingBodies().ToList(),
        "patches" => Patches().ToList(),
        "huge" => Huge().ToList(),
        "deep" => Deep().ToList(),
        "random" => Random(20261127, 2500).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "no such fuzz category"),
    };

    public static string With(string path, string query) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    /// <summary>Syntactically broken JSON, or JSON that is no object: every API server refuses it whatever the kind.</summary>
    internal static readonly string[] BrokenJson =
    [
        "{", "}", "[", "]", "{{}}", "{}", "{\"apiVersion\":}", "{\"apiVersion\" \"v1\"}", "{'apiVersion':'v1','kind':'ConfigMap'}",
        "{\"apiVersion\":\"v1\",}", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"broken\"}",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"broken\"}}garbage", "{} {}", "null", "true", "false", "0", "-1",
        "1e999", "\"ConfigMap\"", "[]", "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}]", "NaN", "Infinity", "undefined", "{\"a\":NaN}",
        "/* comment */ {}", "// comment\n{}", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":\"unterminated}}", "\u0000",
        "\u0000{}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":0x10}", "{\"a\":[1,]}", "{,}",
        "{:}", "{\"a\"::1}", " \t\r\n ", "\"\\ud800\"", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}]",
    ];

    /// <summary>Broken YAML, or YAML that is no mapping.</summary>
    internal static readonly string[] BrokenYaml =
    [
        "a: [", "a: {", "a: 'unterminated", "a: \"unterminated", "\tkind: ConfigMap", "kind: ConfigMap\n  metadata: x\n", "- a\nb: c",
        "--- a\n--- b\n", "%YAML 9.9\n---\na: b\n", "!!binary 'eA=='", "&a a: *b", "*unknown", "apiVersion: v1\nkind: ConfigMap\nmetadata: [",
        "[a, b", "|\n  text", "...", "---", "plain scalar", "- 1\n- 2\n", "a: b: c", "key: [1, 2]]", "{a: 1, a: 2", ": value", "@reserved",
        "`reserved",
    ];

    private static IEnumerable<FuzzRequest> Bodies()
    {
        foreach (var target in Targets.All)
        {
            foreach (var body in BrokenJson)
            {
                yield return FuzzRequest.Text($"POST broken JSON to {target.Kind}", "POST", target.Collection, Json, body, Expect.ClientError);
            }
        }

        foreach (var target in Targets.Seeded)
        {
            foreach (var body in BrokenJson)
            {
                yield return FuzzRequest.Text($"PUT broken JSON to {target.Kind}", "PUT", target.Object(Targets.ExistingName), Json, body, Expect.ClientError);
            }
        }

        foreach (var target in new[] { Targets.ConfigMaps, Targets.Deployments, Targets.Namespaces })
        {
            foreach (var body in BrokenYaml)
            {
                yield return FuzzRequest.Text($"POST broken YAML to {target.Kind}", "POST", target.Collection, Yaml, body, Expect.ClientError);
            }

            foreach (var body in BrokenYaml.Take(8))
            {
                if (target.Existing is not null)
                {
                    yield return FuzzRequest.Text($"PUT broken YAML to {target.Kind}", "PUT", target.Object(Targets.ExistingName), Yaml, body, Expect.ClientError);
                }
            }
        }

        var valid = Encoding.UTF8.GetBytes(Targets.ConfigMaps.Manifest("encoded").ToJsonString());
        byte[][] badBytes =
        [
            [0xff, 0xfe, 0xfd],
            [(byte)'{', 0xc3],
            [0xfe, 0xff, 0x00, (byte)'{', 0x00, (byte)'}'],
            Encoding.Unicode.GetBytes(Targets.ConfigMaps.Manifest("utf16").ToJsonString()),
            Encoding.UTF32.GetBytes(Targets.ConfigMaps.Manifest("utf32").ToJsonString()),
            [.. valid[..^1], 0x00],
            [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00],
            [0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31],
        ];
        foreach (var bytes in badBytes)
        {
            yield return new FuzzRequest("POST bytes that are no UTF-8 JSON", "POST", Targets.ConfigMaps.Collection, Json, bytes, Expect.ClientError);
            yield return new FuzzRequest("POST bytes that are no UTF-8 YAML", "POST", Targets.ConfigMaps.Collection, Yaml, bytes, Expect.ClientError);
        }

        // Odd but perhaps valid: Kubernetes may accept these, so only as a dry run.
        var odd = new List<byte[]>
        {
            (byte[])[0xef, 0xbb, 0xbf, .. valid],
            Encoding.UTF8.GetBytes(Targets.ConfigMaps.Manifest("escapes").ToJsonString().Replace("\"v\"", "\"\\u0000\\ud83d\\ude00\\\"\\\\\\/\"", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(Targets.ConfigMaps.Manifest("unknown").ToJsonString().Replace("\"data\":", "\"bogus\":{\"deep\":[1,2,{}]},\"data\":", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(Targets.ConfigMaps.Manifest("nulls").ToJsonString().Replace("\"data\":{\"k\":\"v\"", "\"data\":{\"k\":null", StringComparison.Ordinal)),
        };
        foreach (var bytes in odd)
        {
            yield return new FuzzRequest("POST an odd but perhaps valid body (dry run)", "POST", With(Targets.ConfigMaps.Collection, DryRun), Json, bytes, Expect.ClientErrorOr(200, 201));
        }

        // Strict field validation refuses unknown fields (duplicate ones are ApiFuzzKnownFailures).
        foreach (var bytes in odd.Skip(2).Take(1))
        {
            yield return new FuzzRequest("POST unknown fields with fieldValidation=Strict", "POST", With(Targets.ConfigMaps.Collection, "fieldValidation=Strict&" + DryRun), Json, bytes, Expect.ClientError);
        }

        // Values of the wrong type in otherwise valid objects.
        string[] wrongTypes =
        [
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":5}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":5}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\",\"labels\":{\"a\":5}}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\",\"labels\":[\"a\"]}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\"},\"data\":[]}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\"},\"data\":{\"k\":{}}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\"},\"binaryData\":{\"k\":\"not base64!\"}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\",\"creationTimestamp\":\"yesterday\"}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\",\"ownerReferences\":{}}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"wrong\",\"namespace\":\"kube-system\"}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"replicas\":\"three\"}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"replicas\":1.5}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"replicas\":99999999999}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"template\":{\"spec\":{\"containers\":{}}}}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"lots\"}}}]}}}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":{}}}}]}}}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1.5}}}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"wrong\"},\"spec\":{\"minReadySeconds\":1e400}}",
        ];
        foreach (var body in wrongTypes)
        {
            var target = body.Contains("Deployment", StringComparison.Ordinal) ? Targets.Deployments : Targets.ConfigMaps;
            yield return FuzzRequest.Text($"POST a {target.Kind} with a value of the wrong type", "POST", target.Collection, Json, body, Expect.ClientError);
        }
    }

    private static IEnumerable<FuzzRequest> Kinds()
    {
        foreach (var target in Targets.All)
        {
            var pairs = Targets.All.Where(t => t != target).Select(t => ((JsonNode?)t.ApiVersion, (JsonNode?)t.Kind)).ToList();
            pairs.AddRange(
            [
                (target.ApiVersion, target.Kind.ToLowerInvariant()),
                (target.ApiVersion, target.Kind.ToUpperInvariant()),
                (target.ApiVersion.ToUpperInvariant(), target.Kind),
                ("v2", target.Kind),
                ("apps/v1beta1", target.Kind),
                ("extensions/v1beta1", target.Kind),
                ("v1/apps", target.Kind),
                ("/v1", target.Kind),
                (target.ApiVersion + "/", target.Kind),
                (target.ApiVersion, "List"),
                (target.ApiVersion, "Status"),
                (target.ApiVersion, target.Kind + "List"),
                ("meta.k8s.io/v1", "Table"),
                ("v1", "DeleteOptions"),
                (target.ApiVersion, " " + target.Kind),
                (target.ApiVersion, target.Kind + "\u0000"),
                (target.ApiVersion, "Ƙind"),
                (5, target.Kind),
                (target.ApiVersion, 5),
                (target.ApiVersion, new JsonArray()),
                (target.ApiVersion, new JsonObject { ["kind"] = target.Kind }),
                (true, target.Kind),
            ]);
            foreach (var (apiVersion, kind) in pairs)
            {
                var manifest = target.Manifest("wrong-kind");
                manifest["apiVersion"] = apiVersion?.DeepClone();
                manifest["kind"] = kind?.DeepClone();
                var body = manifest.ToJsonString();
                yield return FuzzRequest.Text($"POST {apiVersion?.ToJsonString()} {kind?.ToJsonString()} to {target.Kind}", "POST", target.Collection, Json, body, Expect.ClientError);
                if (target.Existing is not null)
                {
                    manifest["metadata"]!["name"] = Targets.ExistingName;
                    yield return FuzzRequest.Text($"PUT {apiVersion?.ToJsonString()} {kind?.ToJsonString()} to {target.Kind}", "PUT", target.Object(Targets.ExistingName), Json, manifest.ToJsonString(), Expect.ClientError);
                }
            }
        }

        foreach (var target in Targets.Seeded)
        {
            foreach (var patch in new[] { "{\"kind\":\"Secret\"}", "{\"kind\":\"Pod\"}", "{\"apiVersion\":\"v2\"}", "{\"apiVersion\":\"apps/v1beta1\"}", "{\"kind\":5}", "{\"apiVersion\":[]}" })
            {
                yield return FuzzRequest.Text($"PATCH that changes the kind of a {target.Kind}", "PATCH", target.Object(Targets.ExistingName), MergePatch, patch, Expect.ClientErrorOr(200));
            }
        }
    }

    /// <summary>Names no object can have, as path segments (already escaped).</summary>
    internal static readonly string[] HostileNames =
    [
        "UPPER", "Mixed-Case", new string('a', 300), new string('a', 254), "a..b", "-lead", "trail-", "a_b", "a%2Fb", "%2F", "%2F%2F", "a%25b", "%25",
        "%252e%252e", "%C3%BCn%C3%AFc%C3%B6de", "%E2%80%AE", "%F0%9F%92%A9", "a%20b", "%20", "%09", "a%0Ab", "a%3Bb", "a%3Fb", "a%23b", "*", "~",
        "a:b", "a%5Cb", "a@b", "a&b=c", "%FF", "%C0%AE%C0%AE", "a%2e%2e", "..a", "...", ".a", "a.", "a%2F..%2Fb", "%2e%2e%2F%2e%2e",
    ];

    private static IEnumerable<FuzzRequest> Names()
    {
        foreach (var target in Targets.Seeded)
        {
            foreach (var name in HostileNames)
            {
                var path = target.Object(name);
                yield return FuzzRequest.Text($"GET a {target.Kind} with a hostile name", "GET", path, null, null, Expect.ClientError);
                yield return FuzzRequest.Text($"DELETE a {target.Kind} with a hostile name", "DELETE", path, null, null, Expect.ClientError);
                yield return FuzzRequest.Text($"PUT a {target.Kind} with a hostile name", "PUT", path, Json, target.Manifest("hostile").ToJsonString(), Expect.ClientError);
                yield return FuzzRequest.Text($"PATCH a {target.Kind} with a hostile name", "PATCH", path, MergePatch, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", Expect.ClientError);
            }
        }

        foreach (var name in HostileNames)
        {
            // Listing in a namespace that cannot exist is an empty list to Kubernetes; creating in it is NotFound.
            yield return FuzzRequest.Text("GET the configmaps of a hostile namespace", "GET", $"/api/v1/namespaces/{name}/configmaps", null, null, Expect.ClientErrorOr(200));
            yield return FuzzRequest.Text("POST a configmap to a hostile namespace", "POST", $"/api/v1/namespaces/{name}/configmaps", Json, Targets.ConfigMaps.Manifest("in-hostile").ToJsonString(), Expect.ClientError);
            yield return FuzzRequest.Text("GET a hostile namespace", "GET", $"/api/v1/namespaces/{name}", null, null, Expect.ClientError);
            yield return FuzzRequest.Text("DELETE a hostile namespace", "DELETE", $"/api/v1/namespaces/{name}", null, null, Expect.ClientError);
        }

        // Names the API server itself refuses for every kind (a path segment must stay one).
        foreach (var target in Targets.All)
        {
            foreach (var name in new[] { "a/b", "a%b", ".", "..", "", "a/../b" })
            {
                var manifest = target.Manifest(name);
                yield return FuzzRequest.Text($"POST a {target.Kind} named {name}", "POST", target.Collection, Json, manifest.ToJsonString(), Expect.ClientError);
            }
        }
    }

    /// <summary>Selectors every parser refuses.</summary>
    internal static readonly string[] BadLabelSelectors =
    [
        "a b", "=", "a=b=c", "a in (", "!", "a,,b", "a!==b", new string('k', 64) + "=v", "k=" + new string('v', 64), "a=b c", "ключ=v", "a=%", "x/y/z=1",
        "-a=1", "a=-1-", "a=b,", ",a", "a notin", "a=(b)", "a<x", "a=b!", "!a=b", "a in b", "a==b==c", "\"a\"=b", "a=$(x)", "a in ((((((b))))))",
        "a in (b", "a notin (b,c", new string('(', 1000), string.Concat(Enumerable.Repeat("a=b,", 500)) + "=",
    ];

    // Valid to Kubernetes' parser too: "in ()" holds the empty value, and a NUL ends the selector as the end of the string does.
    internal static readonly string[] OddLabelSelectors = ["a in ()", "a in (b,,c)", "a>1", "in", "a", "!a", "a,b,c", "a=", "a==b", "a!=b", "a notin ()", "a gt 1", "a=\u0000", "\u0000"];

    internal static readonly string[] BadFieldSelectors =
    [
        "metadata.name", "=x", "metadata.name==x==", "spec.bogus=x", "metadata.labels=x", "metadata.name in (a)", "metadata.name=a,=b", "metadata.name!",
        "!metadata.name=x", "metadata.name=\\x", "metadata.name=a\\", "metadata.name>1", "METADATA.NAME=a", "status.bogus=Running", "metadata.uid=x",
        "metadata.name=a,spec.x=b", "\u0000=x",
    ];

    internal static readonly string[] OddFieldSelectors = ["metadata.name=a b", ",", "metadata.name=a,metadata.name=b", "metadata.name=", "metadata.name==a", "metadata.namespace!=x"];

    private static IEnumerable<FuzzRequest> Selectors()
    {
        var lists = new[] { Targets.ConfigMaps.Collection, Targets.Deployments.Collection, "/api/v1/configmaps", "/api/v1/namespaces" };
        foreach (var list in lists)
        {
            foreach (var selector in BadLabelSelectors)
            {
                var query = "labelSelector=" + Uri.EscapeDataString(selector);
                yield return FuzzRequest.Text("list with a bad label selector", "GET", With(list, query), null, null, Expect.ClientError);
            }

            foreach (var selector in BadFieldSelectors)
            {
                var query = "fieldSelector=" + Uri.EscapeDataString(selector);
                yield return FuzzRequest.Text("list with a bad field selector", "GET", With(list, query), null, null, Expect.ClientError);
            }

            foreach (var selector in OddLabelSelectors)
            {
                yield return FuzzRequest.Text("list with an odd label selector", "GET", With(list, "labelSelector=" + Uri.EscapeDataString(selector)), null, null, Expect.ClientErrorOr(200));
            }

            foreach (var selector in OddFieldSelectors)
            {
                yield return FuzzRequest.Text("list with an odd field selector", "GET", With(list, "fieldSelector=" + Uri.EscapeDataString(selector)), null, null, Expect.ClientErrorOr(200));
            }
        }

        foreach (var selector in BadLabelSelectors.Take(12))
        {
            var query = "labelSelector=" + Uri.EscapeDataString(selector);
            yield return FuzzRequest.Text("watch with a bad label selector", "GET", With(Targets.ConfigMaps.Collection, "watch=true&timeoutSeconds=1&" + query), null, null, Expect.ClientError);
            yield return FuzzRequest.Text("delete a collection with a bad label selector", "DELETE", With(Targets.ConfigMaps.Collection, query), null, null, Expect.ClientError);
        }

        foreach (var selector in BadFieldSelectors.Take(8))
        {
            var query = "fieldSelector=" + Uri.EscapeDataString(selector);
            yield return FuzzRequest.Text("watch with a bad field selector", "GET", With(Targets.Deployments.Collection, "watch=true&timeoutSeconds=1&" + query), null, null, Expect.ClientError);
            yield return FuzzRequest.Text("delete a collection with a bad field selector", "DELETE", With(Targets.Deployments.Collection, query), null, null, Expect.ClientError);
        }

        foreach (var selector in OddLabelSelectors)
        {
            yield return FuzzRequest.Text("delete a collection with an odd selector (dry run)", "DELETE", With(Targets.ConfigMaps.Collection, $"{DryRun}&labelSelector={Uri.EscapeDataString(selector)}"), null, null, Expect.ClientErrorOr(200));
        }
    }

    private static IEnumerable<FuzzRequest> Query()
    {
        var list = Targets.ConfigMaps.Collection;
        var item = Targets.ConfigMaps.Object(Targets.ExistingName);
        string Base64(string text) => Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));

        string[] refused =
        [
            "resourceVersion=abc", "resourceVersion=-1", "resourceVersion=1.5", "resourceVersion=0x10", "resourceVersion=1e3",
            "resourceVersion=99999999999999999999999", "resourceVersion=%201", "resourceVersion=1%20", "resourceVersion=%2B1", "resourceVersion=%EF%BC%91",
            "limit=abc", "limit=1.5", "limit=99999999999999999999999", "limit=0x10", "limit=%2B",
            "continue=garbage", "continue=%25%25%25", "continue=eyJ", "continue=" + Base64("{}"), "continue=" + Base64("{\"v\":\"meta.k8s.io/v1\",\"rv\":-1,\"start\":\"x\"}"),
            "continue=" + Base64("{\"v\":\"meta.k8s.io/v1\",\"rv\":1,\"start\":\"/registry/secrets/kube-system/\"}"),
            "continue=" + Base64("{\"v\":\"meta.k8s.io/v2\",\"rv\":1,\"start\":\"x\"}"), "continue=" + new string('A', 4000),
            "continue=" + Base64("{\"v\":\"meta.k8s.io/v1\",\"rv\":1,\"start\":\"x\"}") + "&resourceVersion=1",
            "resourceVersionMatch=Bogus", "resourceVersionMatch=Exact", "resourceVersionMatch=NotOlderThan", "resourceVersionMatch=Exact&resourceVersion=0",
            "watch=true&timeoutSeconds=abc", "watch=true&timeoutSeconds=-1", "watch=true&timeoutSeconds=1.5", "watch=true&resourceVersion=abc",
            "watch=true&resourceVersion=-5",
        ];
        foreach (var query in refused)
        {
            yield return FuzzRequest.Text($"list with {query}", "GET", With(list, query), null, null, Expect.ClientError);
        }

        foreach (var query in refused.Where(q => q.StartsWith("limit", StringComparison.Ordinal) || q.StartsWith("resourceVersion=", StringComparison.Ordinal)).Take(8))
        {
            yield return FuzzRequest.Text($"list deployments everywhere with {query}", "GET", With("/apis/apps/v1/deployments", query), null, null, Expect.ClientError);
        }

        string[] odd =
        [
            "limit=0", "limit=-1", "limit=9223372036854775807", "limit=1&limit=2", "resourceVersion=0", "resourceVersion=", "includeObject=Bogus",
            "sendInitialEvents=true", "allowWatchBookmarks=maybe", "pretty=maybe", "timeoutSeconds=5", "watch=false", "watch=0", "labelSelector=",
            "fieldSelector=", "continue=", "resourceVersion=1&resourceVersionMatch=NotOlderThan",
        ];
        foreach (var query in odd)
        {
            yield return FuzzRequest.Text($"list with {query}", "GET", With(list, query), null, null, Expect.ClientErrorOr(200));
        }

        // Unknown parameters are ignored.
        string[] unknown =
        [
            "foo=bar", "%00=1", "a=%ZZ", "=x", "x", "&&&", new string('p', 2000) + "=1", "%E2%80%AE=%F0%9F%92%A9", "a[]=1&a[]=2", "a.b.c=d",
            "dryrun=Bogus", "field_selector=bad==", "selector=a%20b", "limits=abc",
        ];
        foreach (var query in unknown)
        {
            yield return FuzzRequest.Text($"list with unknown parameters {query}", "GET", With(list, query), null, null, Expect.Code(200));
            yield return FuzzRequest.Text($"get with unknown parameters {query}", "GET", With(item, query), null, null, Expect.Code(200));
        }

        // Watches that start and end by themselves.
        foreach (var query in new[] { "watch=true&timeoutSeconds=1", "watch=1&timeoutSeconds=1", "watch=true&timeoutSeconds=0&resourceVersion=0", "watch=true&timeoutSeconds=1&allowWatchBookmarks=true", "watch=true&timeoutSeconds=1&labelSelector=a%20in%20()" })
        {
            yield return FuzzRequest.Text($"watch with {query}", "GET", With(list, query), null, null, Expect.ClientErrorOrWatch);
        }

        // Write parameters, on dry runs only.
        var manifest = Targets.ConfigMaps.Manifest("query-probe").ToJsonString();
        foreach (var query in new[] { "fieldValidation=Bogus", "fieldValidation=", "fieldValidation=strict", "dryRun=Bogus", "dryRun=", "dryRun=All&dryRun=Bogus", "dryRun=all" })
        {
            var path = With(list, query.StartsWith("dryRun", StringComparison.Ordinal) ? query : query + "&" + DryRun);
            var expect = query is "fieldValidation=" ? Expect.ClientErrorOr(201) : Expect.ClientError;
            yield return FuzzRequest.Text($"create with {query}", "POST", path, Json, manifest, expect);
        }

        foreach (var query in new[] { "gracePeriodSeconds=abc", "gracePeriodSeconds=1.5", "gracePeriodSeconds=99999999999999999999", "propagationPolicy=Bogus", "propagationPolicy=background" })
        {
            yield return FuzzRequest.Text($"delete with {query} (dry run)", "DELETE", With(item, query + "&" + DryRun), null, null, Expect.ClientError);
            yield return FuzzRequest.Text($"delete a collection with {query} (dry run)", "DELETE", With(list, query + "&" + DryRun), null, null, Expect.ClientError);
        }

        foreach (var body in new[] { "{\"propagationPolicy\":\"Bogus\"}", "{\"propagationPolicy\":5}", "{\"gracePeriodSeconds\":\"x\"}", "{\"preconditions\":[]}", "{\"preconditions\":{\"uid\":\"other\"}}", "{\"preconditions\":{\"resourceVersion\":\"1\"}}", "{\"dryRun\":\"All\"}", "[]", "{", "5" })
        {
            yield return FuzzRequest.Text("delete with a bad DeleteOptions body (dry run)", "DELETE", With(item, DryRun), Json, body, Expect.ClientError);
        }
    }

    private static IEnumerable<FuzzRequest> Paths()
    {
        var ns = Targets.Namespace;
        string[] missing =
        [
            "//api//v1//namespaces", $"/api/v1/namespaces/{ns}%2Fconfigmaps", $"/api/v1/namespaces/{ns}/configmaps%2Ftarget", $"/api/v1/namespaces/{ns}/configmaps/target/extra/more",
            $"/api/v1/namespaces/{ns}/configmaps/target/status", $"/api/v1/namespaces/{ns}/configmaps/target/scale", $"/apis/apps/v1/namespaces/{ns}/deployments/target/bogus",
            "/api/v2/namespaces", "/apis/apps/v2/deployments", "/apis/nope/v1/things", "/apis/apps/v1/nopes", "/api/v1/nopes", $"/api/v1/namespaces/{ns}/nodes",
            "/API/V1/NAMESPACES", $"/api/v1/namespaces/{ns}/configmaps/target;x=y", $"/api/v1/namespaces/{ns}/configmaps/target/status/extra",
            "/api\\v1\\namespaces", "/api%5Cv1%5Cnamespaces", $"/api/v1/namespaces/{ns}/configmaps/" + new string('x', 7000), string.Concat(Enumerable.Repeat("/a", 2000)),
            "/api/v1/namespaces/" + string.Concat(Enumerable.Repeat("x/", 1000)), "/apis/apps/v1/namespaces//deployments", "/api/v1/namespaces//configmaps/target",
            $"/api/v1/namespaces/{ns}/configmaps//target", "/apis//v1/deployments", "/apis/apps//deployments", "/nope", "/api/v1/namespaces/fuzz/pods/x/log/extra",
            "/apis/apps/v1/namespaces/fuzz/deployments/target/scale/extra", "/api/v1/namespaces/fuzz/pods/nope/binding/x", "/%2e%2e%2fetc/passwd",
            "/api/v1/namespaces/fuzz/secrets%00", "/api/v1/namespaces/fuzz/configmaps/ta%0d%0aX-Injected:%201",
        ];
        foreach (var path in missing.Where(p => !p.Contains("%00", StringComparison.Ordinal)))
        {
            yield return FuzzRequest.Text("GET a path that names nothing", "GET", path, null, null, Expect.ClientError);
            yield return FuzzRequest.Text("DELETE a path that names nothing", "DELETE", path, null, null, Expect.ClientError);
            yield return FuzzRequest.Text("POST to a path that names nothing", "POST", path, Json, Targets.ConfigMaps.Manifest("lost").ToJsonString(), Expect.ClientError);
        }

        // Paths Kubernetes may well serve.
        string[] served =
        [
            $"/api/v1/namespaces/{ns}/configmaps/target/", $"/api/v1/namespaces/{ns}/configmaps?", $"/api/v1/namespaces/{ns}/configmaps??", "/%61pi/v1/namespaces",
            "/openapi/v2", "/openapi/v3", "/metrics", "/debug/pprof/", "/apis/apps", "/apis/apps/", "/api/", "/version/", "/healthz/etcd", "/livez?verbose",
            $"/api/v1/namespaces/{ns}/configmaps/target?#fragment",
        ];
        foreach (var path in served)
        {
            yield return FuzzRequest.Text("GET an unusual path", "GET", path, null, null, Expect.ClientErrorOr(200));
        }
    }

    private static IEnumerable<FuzzRequest> Methods()
    {
        var cm = Targets.ConfigMaps;
        var item = cm.Object(Targets.ExistingName);
        var body = cm.Manifest(Targets.ExistingName).ToJsonString();
        yield return FuzzRequest.Text("PUT a collection", "PUT", cm.Collection, Json, body, Expect.ClientError);
        yield return FuzzRequest.Text("PATCH a collection", "PATCH", cm.Collection, MergePatch, "{}", Expect.ClientError);
        yield return FuzzRequest.Text("POST to an object", "POST", item, Json, body, Expect.ClientError);
        yield return FuzzRequest.Text("POST to a deployment's scale", "POST", Targets.Deployments.Object("target/scale"), Json, "{}", Expect.ClientError);
        yield return FuzzRequest.Text("DELETE a deployment's scale", "DELETE", Targets.Deployments.Object("target/scale"), null, null, Expect.ClientError);
        yield return FuzzRequest.Text("DELETE a deployment's status", "DELETE", Targets.Deployments.Object("target/status"), null, null, Expect.ClientError);
        yield return FuzzRequest.Text("PUT a binding", "PUT", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, "{}", Expect.ClientError);
        yield return FuzzRequest.Text("POST a binding that is garbage", "POST", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, "{", Expect.ClientError);
        yield return FuzzRequest.Text("POST a binding without a target", "POST", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, "{\"target\":{}}", Expect.ClientError);
        yield return FuzzRequest.Text("PUT a scale that is garbage", "PUT", Targets.Deployments.Object("target/scale"), Json, "{", Expect.ClientError);
        yield return FuzzRequest.Text("PUT a scale without replicas", "PUT", Targets.Deployments.Object("target/scale"), Json, "{\"spec\":{}}", Expect.ClientError);
        yield return FuzzRequest.Text("PUT a scale of the wrong type", "PUT", Targets.Deployments.Object("target/scale"), Json, "{\"spec\":{\"replicas\":\"x\"}}", Expect.ClientError);
        yield return FuzzRequest.Text("PUT a stale scale", "PUT", Targets.Deployments.Object("target/scale"), Json, "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":7}}", Expect.Code(409));
        yield return FuzzRequest.Text("PATCH a scale with application/json", "PATCH", Targets.Deployments.Object("target/scale"), Json, "{\"spec\":{\"replicas\":3}}", Expect.ClientError);
        yield return FuzzRequest.Text("GET the scale of a configmap", "GET", item + "/scale", null, null, Expect.ClientError);

        // Methods differing from GET, DELETE … only in case are ApiFuzzKnownFailures.
        string[] odd = ["TRACE", "OPTIONS", "FOO", "PROPFIND", "M-SEARCH", "PURGE", "LINK", "X", "GETS", new string('M', 100)];
        foreach (var path in new[] { cm.Collection, item, "/api", "/apis", "/version", "/api/v1/namespaces/fuzz", "/nope" })
        {
            foreach (var method in odd)
            {
                yield return FuzzRequest.Text($"{method} a resource", method, path, null, null, Expect.ClientError);
            }

            yield return FuzzRequest.Text("HEAD a resource", "HEAD", path, null, null, Expect.ClientErrorOr(200));
        }

        foreach (var path in new[] { "/version", "/api", "/apis", "/healthz", "/apis/apps/v1", "/api/v1" })
        {
            foreach (var method in new[] { "POST", "PUT", "PATCH", "DELETE" })
            {
                yield return FuzzRequest.Text($"{method} a discovery document", method, path, Json, "{}", Expect.ClientError);
            }
        }
    }

    private static IEnumerable<FuzzRequest> ContentTypes()
    {
        var create = With(Targets.ConfigMaps.Collection, DryRun);
        var body = Targets.ConfigMaps.Manifest("content-type").ToJsonString();
        string[] refused =
        [
            "text/plain", "application/xml", "text/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
            "application/vnd.kubernetes.protobuf", "application/cbor", "application/merge-patch+json", "application/json-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml", "text/html", "image/png", ";", "application/", "/json", "json", "a/b/c",
            "*/*", "application/*", "application/jsonx", "application/json-seq", "application/x-json", "text/json", "text/yaml", "application/x-yaml",
            new string('x', 8000) + "/json",
        ];
        foreach (var type in refused)
        {
            yield return FuzzRequest.Text($"POST with Content-Type {ApiResponse.Shorten(type, 40)}", "POST", create, type, body, Expect.ClientError);
            yield return FuzzRequest.Text($"PUT with Content-Type {ApiResponse.Shorten(type, 40)}", "PUT", With(Targets.ConfigMaps.Object(Targets.ExistingName), DryRun), type, Targets.ConfigMaps.Manifest(Targets.ExistingName).ToJsonString(), Expect.ClientError);
        }

        // JSON by another spelling: Kubernetes reads the media type, not its parameters or case.
        foreach (var type in new[] { "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;charset=utf-16", "application/json; v=v1; g=meta.k8s.io", "application/json;;;", "application/json, application/yaml", " application/json " })
        {
            yield return FuzzRequest.Text($"POST with Content-Type {type}", "POST", create, type, body, Expect.ClientErrorOr(201));
        }

        var patch = "{\"metadata\":{\"labels\":{\"content-type\":\"probe\"}}}";
        var item = With(Targets.ConfigMaps.Object(Targets.ExistingName), DryRun);
        foreach (var type in new[] { "application/json", "text/plain", "application/yaml", "", "application/merge-patch", "merge-patch+json", "application/json-patch", "application/strategic-merge-patch", "application/vnd.kubernetes.protobuf", "application/apply-patch+json", "*/*" })
        {
            yield return FuzzRequest.Text($"PATCH with Content-Type {type}", "PATCH", item, type, patch, Expect.ClientError);
        }

        foreach (var type in new[] { "application/merge-patch+json; charset=utf-8", "APPLICATION/MERGE-PATCH+JSON" })
        {
            yield return FuzzRequest.Text($"PATCH with Content-Type {type}", "PATCH", item, type, patch, Expect.ClientErrorOr(200));
        }

        yield return new FuzzRequest("PATCH without a Content-Type", "PATCH", item, null, Encoding.UTF8.GetBytes(patch), Expect.ClientError);
    }

    private static IEnumerable<FuzzRequest> MissingBodies()
    {
        foreach (var target in Targets.All)
        {
            yield return new FuzzRequest($"POST a {target.Kind} without a body", "POST", target.Collection, null, null, Expect.ClientError);
            yield return new FuzzRequest($"POST a {target.Kind} with an empty JSON body", "POST", target.Collection, Json, [], Expect.ClientError);
            yield return new FuzzRequest($"POST a {target.Kind} with an empty YAML body", "POST", target.Collection, Yaml, [], Expect.ClientError);
        }

        foreach (var target in Targets.Seeded)
        {
            var item = target.Object(Targets.ExistingName);
            yield return new FuzzRequest($"PUT a {target.Kind} without a body", "PUT", item, null, null, Expect.ClientError);
            yield return new FuzzRequest($"PUT a {target.Kind} with an empty body", "PUT", item, Json, [], Expect.ClientError);
            foreach (var type in new[] { JsonPatch, MergePatch, StrategicMergePatch, ApplyPatch })
            {
                yield return new FuzzRequest($"PATCH a {target.Kind} with an empty {type}", "PATCH", item, type, [], Expect.ClientError);
                yield return new FuzzRequest($"PATCH a {target.Kind} with a blank {type}", "PATCH", item, type, " \n"u8.ToArray(), Expect.ClientError);
            }
        }

        yield return new FuzzRequest("PUT a scale without a body", "PUT", Targets.Deployments.Object("target/scale"), null, null, Expect.ClientError);
        yield return new FuzzRequest("PATCH a scale without a body", "PATCH", Targets.Deployments.Object("target/scale"), MergePatch, [], Expect.ClientError);
        yield return new FuzzRequest("POST a binding without a body", "POST", "/api/v1/namespaces/fuzz/pods/nope/binding", Json, [], Expect.ClientError);
    }

    /// <summary>Patch documents that are malformed, or well-formed but cannot apply.</summary>
    private static string WithResourceVersion(JsonObject manifest, string resourceVersion)
    {
        manifest["metadata"]!["resourceVersion"] = resourceVersion;
        return manifest.ToJsonString();
    }
}
