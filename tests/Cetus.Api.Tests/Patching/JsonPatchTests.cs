using Cetus.Api.Patching;
using Xunit;
using static Cetus.Api.Tests.Patching.PatchAssert;

namespace Cetus.Api.Tests.Patching;

public sealed class JsonPatchTests
{
    private const string Deployment = """
        {"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},
         "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}
        """;

    [Theory]
    [InlineData(
        "test then replace, as the kubectl patch docs show",
        """[{"op":"test","path":"/spec/template/spec/containers/0/name","value":"app"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "- appends to an array",
        """[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"log","image":"fluentd"}}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"},{"name":"log","image":"fluentd"}]}}}}""")]
    [InlineData(
        "an index inserts before the item there",
        """[{"op":"add","path":"/spec/template/spec/containers/0","value":{"name":"init"}}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"init"},{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "~1 escapes a slash and ~0 a tilde",
        """[{"op":"remove","path":"/metadata/labels/app.kubernetes.io~1name"},{"op":"replace","path":"/metadata/annotations/a~0b","value":"2"}]""",
        """{"metadata":{"name":"web","labels":{"app":"web"},"annotations":{"a~b":"2","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "move and copy",
        """[{"op":"move","from":"/metadata/labels/app","path":"/metadata/labels/tier"},{"op":"copy","from":"/spec/replicas","path":"/spec/minReadySeconds"}]""",
        """{"metadata":{"name":"web","labels":{"tier":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"minReadySeconds":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "kubectl rollout undo replaces the template and the annotations",
        """[{"op":"replace","path":"/spec/template","value":{"spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}},{"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"3"}}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"deployment.kubernetes.io/revision":"3"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}}}""")]
    [InlineData(
        "a negative index counts from the end, as evanphx/json-patch allows",
        """[{"op":"remove","path":"/spec/template/spec/containers/-1"}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}""")]
    [InlineData(
        "replace of a missing object member adds it, as kube-apiserver's evanphx/json-patch v4 does",
        """[{"op":"replace","path":"/metadata/labels/tier","value":"fe"}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web","tier":"fe"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "test of a missing member against null passes",
        """[{"op":"test","path":"/spec/paused","value":null},{"op":"add","path":"/spec/paused","value":true}]""",
        """{"metadata":{"name":"web","labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"a~b":"1","deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"paused":true,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26"},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "replace of the root swaps the document",
        """[{"op":"replace","path":"","value":{"metadata":{"name":"other"}}}]""",
        """{"metadata":{"name":"other"}}""")]
    [InlineData(
        "a null patch changes nothing, as Go decodes it to no operations",
        "null",
        Deployment)]
    public void Apply_ProducesTheExpectedDocument(string behaviour, string patch, string expected)
    {
        Assert.NotEmpty(behaviour);

        JsonEqual(expected, JsonPatch.Apply(Doc(Deployment), Doc(patch)));
    }

    [Theory]
    [InlineData(
        """[{"op":"test","path":"/spec/replicas","value":5}]""",
        "testing value /spec/replicas failed: test failed")]
    [InlineData(
        """[{"op":"remove","path":"/metadata/labels/missing"}]""",
        "error in remove for path: '/metadata/labels/missing': Unable to remove nonexistent key: missing: missing value")]
    [InlineData(
        """[{"op":"add","path":"/spec/selector/matchLabels","value":{"app":"web"}}]""",
        "add operation does not apply: doc is missing path: \"/spec/selector/matchLabels\": missing value")]
    [InlineData(
        """[{"op":"add","path":"/spec/template/spec/containers/5","value":{}}]""",
        "error in add for path: '/spec/template/spec/containers/5': Unable to access invalid index: 5: invalid index referenced")]
    [InlineData(
        """[{"op":"add","path":"/spec/template/spec/containers/x","value":{}}]""",
        "error in add for path: '/spec/template/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData(
        """[{"op":"replace","path":"/spec/template/spec/containers/2","value":{}}]""",
        "replace operation does not apply: doc is missing key: /spec/template/spec/containers/2: missing value")]
    [InlineData(
        """[{"op":"move","from":"/spec/template","path":"/spec/template/metadata"}]""",
        "move operation does not apply: doc is missing destination path: /spec/template/metadata: missing value")]
    [InlineData(
        """[{"op":"frobnicate","path":"/spec"}]""",
        "Unexpected kind: frobnicate")]
    [InlineData(
        """[{"path":"/spec"}]""",
        "Unexpected kind: unknown")]
    [InlineData(
        """[{"op":"remove"}]""",
        "remove operation failed to decode path: missing value")]
    [InlineData(
        """[{"op":"test","path":"/spec/replicas"}]""",
        "testing value /spec/replicas failed: test failed")]
    public void Apply_AnOperationThatDoesNotApply_Is422WithUpstreamWording(string patch, string message)
    {
        var error = Fails(PatchErrorKind.Invalid, () => JsonPatch.Apply(Doc(Deployment), Doc(patch)));

        Assert.Equal(message, error.Message);
        Assert.Equal(422, error.StatusCode);
    }

    [Theory]
    [InlineData("""{"op":"add","path":"/a","value":1}""", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("""["add"]""", "json: cannot unmarshal string into Go value of type jsonpatch.Operation")]
    public void Apply_APatchThatIsNotAListOfOperations_IsABadRequest(string patch, string message)
    {
        var error = Fails(PatchErrorKind.BadRequest, () => JsonPatch.Apply(Doc(Deployment), Doc(patch)));

        Assert.Equal(message, error.Message);
        Assert.True(error.IsBadRequest);
    }

    [Fact]
    public void Apply_MoreOperationsThanTheServerAccepts_IsRequestEntityTooLarge()
    {
        var patch = "[" + string.Join(',', Enumerable.Repeat("""{"op":"test","path":"/spec/replicas","value":2}""", JsonPatch.MaxOperations + 1)) + "]";

        var error = Fails(PatchErrorKind.RequestEntityTooLarge, () => JsonPatch.Apply(Doc(Deployment), Doc(patch)));

        Assert.Equal("The allowed maximum operations in a JSON patch is 10000, got 10001", error.Message);
        Assert.Equal(413, error.StatusCode);
    }

    [Fact]
    public void Apply_CopiesBeyondTheLimit_Fail()
    {
        // Each copy doubles the list, the way a hostile patch would grow an object.
        var patch = """[{"op":"copy","from":"/l","path":"/l/-"},{"op":"copy","from":"/l","path":"/l/-"}]""";

        var error = Fails(PatchErrorKind.Invalid, () => JsonPatch.Apply(Doc("""{"l":["0123456789"]}"""), Doc(patch), maxCopyBytes: 20));

        Assert.Equal("Unable to complete the copy, the accumulated size increase of copy is 43, exceeding the limit 20", error.Message);
    }

    [Fact]
    public void Apply_AFailingOperation_LeavesTheOriginalAsItWas()
    {
        var original = Doc(Deployment);
        var patch = Doc("""[{"op":"replace","path":"/spec/replicas","value":9},{"op":"test","path":"/spec/replicas","value":2}]""");
        var before = original.ToJsonString();

        Fails(PatchErrorKind.Invalid, () => JsonPatch.Apply(original, patch));

        Assert.Equal(before, original.ToJsonString());
    }

    [Fact]
    public void Apply_DoesNotChangeItsInputs()
    {
        var original = Doc(Deployment);
        var patch = Doc("""[{"op":"add","path":"/metadata/labels/x","value":{"deep":[1]}},{"op":"move","from":"/spec/template","path":"/spec/moved"}]""");
        var (originalBefore, patchBefore) = (original.ToJsonString(), patch.ToJsonString());

        var result = JsonPatch.Apply(original, patch);
        result["metadata"]!["labels"]!["x"]!["deep"]!.AsArray().Add(2);

        Assert.Equal(originalBefore, original.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }
}
