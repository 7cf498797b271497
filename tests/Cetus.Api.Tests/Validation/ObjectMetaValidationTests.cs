using Cetus.Api.Validation;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class ObjectMetaValidationTests
{
    public static TheoryData<string, string> CreateCases => new()
    {
        { "no name", "metadata.name: Required value: name or generateName is required" },
        { "bad generateName", "metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "no namespace", "metadata.namespace: Required value" },
        { "bad namespace", "metadata.namespace: Invalid value: \"a.b\": must not contain dots" },
        { "negative generation", "metadata.generation: Invalid value: -1: must be greater than or equal to 0" },
        { "bad label key", "metadata.labels: Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
        { "bad label value", "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
        { "bad annotation key", "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')" },
        { "annotations too big", "metadata.annotations: Too long: may not be more than 262144 bytes" },
        { "owner without uid", "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty" },
        { "owner without version", "metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty" },
        { "two controllers", "Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b" },
        { "event owner", "/v1, Kind=Event is disallowed from being an owner" },
        { "unqualified finalizer", "metadata.finalizers[0]: Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified" },
        { "conflicting finalizers", "metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan and foregroundDeletion cannot be both set" },
    };

    private static readonly Dictionary<string, Action<V1ObjectMeta>> CreateEdits = new()
    {
        ["no name"] = m => m.Name = null,
        ["bad generateName"] = m => m.GenerateName = "Web-",
        ["no namespace"] = m => m.NamespaceProperty = "",
        ["bad namespace"] = m => m.NamespaceProperty = "a.b",
        ["negative generation"] = m => m.Generation = -1,
        ["bad label key"] = m => m.Labels = new Dictionary<string, string> { ["-app"] = "x" },
        ["bad label value"] = m => m.Labels = new Dictionary<string, string> { ["app"] = "a b" },
        ["bad annotation key"] = m => m.Annotations = new Dictionary<string, string> { ["a/b/c"] = "x" },
        ["annotations too big"] = m => m.Annotations = new Dictionary<string, string> { ["big"] = new string('x', 256 * 1024) },
        ["owner without uid"] = m => m.OwnerReferences = [Owner("a", uid: "")],
        ["owner without version"] = m => m.OwnerReferences = [Owner("a", apiVersion: "apps/")],
        ["two controllers"] = m => m.OwnerReferences = [Owner("a", controller: true), Owner("b", controller: true)],
        ["event owner"] = m => m.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Event", Name = "e", Uid = "u" }],
        ["unqualified finalizer"] = m => m.Finalizers = ["cleanup"],
        ["conflicting finalizers"] = m => m.Finalizers = ["orphan", "foregroundDeletion"],
    };

    [Theory]
    [MemberData(nameof(CreateCases))]
    public void Create_Rejects(string name, string message)
    {
        var meta = Valid();
        CreateEdits[name](meta);

        var errors = ObjectMetaValidation.ValidateCreate(meta, namespaced: true, NameValidators.DnsSubdomain).Select(e => e.Message);

        Assert.Contains(errors, e => e.EndsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Create_AcceptsQualifiedFinalizersAndOneController()
    {
        var meta = Valid();
        meta.Finalizers = ["kubernetes", "example.com/cleanup"];
        meta.OwnerReferences = [Owner("a", controller: true), Owner("b")];
        meta.Annotations = new Dictionary<string, string> { ["Example.com/Key"] = "any value at all" };

        Assert.Empty(ObjectMetaValidation.ValidateCreate(meta, namespaced: true, NameValidators.DnsSubdomain));
    }

    [Fact]
    public void Create_ForbidsANamespaceOnClusterScopedKinds()
    {
        var errors = ObjectMetaValidation.ValidateCreate(Valid(), namespaced: false, NameValidators.DnsSubdomain);

        Assert.Equal("metadata.namespace: Forbidden: not allowed on this type", Assert.Single(errors).Message);
    }

    public static TheoryData<string, string> UpdateCases => new()
    {
        { "renamed", "metadata.name: Invalid value: \"other\": field is immutable" },
        { "new uid", "metadata.uid: Invalid value: \"u2\": field is immutable" },
        { "new creation time", "metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable" },
        { "no resource version", "metadata.resourceVersion: Invalid value: \"\": must be specified for an update" },
        { "lower generation", "metadata.generation: Invalid value: 1: must not be decremented" },
        { "finalizer added while deleting", "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}" },
        { "new grace period", "metadata.deletionGracePeriodSeconds: Invalid value: 5: field is immutable" },
    };

    private static readonly Dictionary<string, Action<V1ObjectMeta, V1ObjectMeta>> UpdateEdits = new()
    {
        ["renamed"] = (m, _) => m.Name = "other",
        ["new uid"] = (m, _) => m.Uid = "u2",
        ["new creation time"] = (m, _) => m.CreationTimestamp = new DateTime(2024, 5, 2, 10, 0, 0, DateTimeKind.Utc),
        ["no resource version"] = (m, _) => m.ResourceVersion = "",
        ["lower generation"] = (m, _) => m.Generation = 1,
        ["finalizer added while deleting"] = (m, old) =>
        {
            old.DeletionTimestamp = m.DeletionTimestamp = new DateTime(2024, 5, 3, 0, 0, 0, DateTimeKind.Utc);
            m.Finalizers = ["example.com/late"];
        },
        ["new grace period"] = (m, _) => m.DeletionGracePeriodSeconds = 5,
    };

    [Theory]
    [MemberData(nameof(UpdateCases))]
    public void Update_Rejects(string name, string message)
    {
        var old = Existing();
        var meta = Existing();
        UpdateEdits[name](meta, old);

        var errors = ObjectMetaValidation.ValidateUpdate(meta, old).Select(e => e.Message);

        Assert.Contains(message, errors);
    }

    [Fact]
    public void Update_AllowsLabelsAnnotationsAndFinalizers()
    {
        var meta = Existing();
        meta.Labels = new Dictionary<string, string> { ["tier"] = "web" };
        meta.Annotations = new Dictionary<string, string> { ["note"] = "x" };
        meta.Finalizers = ["example.com/cleanup"];
        meta.ResourceVersion = "8";

        Assert.Empty(ObjectMetaValidation.ValidateUpdate(meta, Existing()));
    }

    private static V1ObjectMeta Valid() => new() { Name = "web", NamespaceProperty = "default" };

    private static V1ObjectMeta Existing() => new()
    {
        Name = "web",
        NamespaceProperty = "default",
        Uid = "u1",
        ResourceVersion = "7",
        Generation = 2,
        CreationTimestamp = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc),
    };

    private static V1OwnerReference Owner(string name, string apiVersion = "apps/v1", string uid = "u", bool? controller = null) =>
        new() { ApiVersion = apiVersion, Kind = "ReplicaSet", Name = name, Uid = uid, Controller = controller };
}
