using Cetus.Api.Validation;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class EnvValidationTests
{
    private static readonly FieldPath Env = FieldPath.Root("spec").Child("containers").Index(0).Child("env");

    public static TheoryData<string, string?> FieldRefCases => new()
    {
        { "metadata.name", null },
        { "status.podIPs", null },
        { "metadata.labels['app.kubernetes.io/name']", null },
        { "metadata.labels", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"" },
        { "spec.containers", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.containers\": error converting fieldPath: field label not supported: spec.containers" },
        { "spec.nodeName['x']", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.nodeName['x']\": error converting fieldPath: field label does not support subscript: spec.nodeName['x']" },
        { "metadata.labels['-bad']", "spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
    };

    [Theory]
    [MemberData(nameof(FieldRefCases))]
    public void FieldRef_AcceptsThePodFieldsEnvMayRead(string fieldPath, string? message)
    {
        var vars = new List<V1EnvVar> { new() { Name = "X", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = fieldPath } } } };

        var errors = EnvValidation.Env(vars, Env).Select(e => e.Message);

        Assert.Equal(message is null ? [] : [message], errors);
    }

    [Fact]
    public void ValueFrom_NeedsASourceAndNoValue()
    {
        var vars = new List<V1EnvVar>
        {
            new() { Name = "A", ValueFrom = new V1EnvVarSource() },
            new() { Name = "B", Value = "x", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "k" } } },
            new() { Name = "C", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "Cfg", Key = "" } } },
        };

        var errors = EnvValidation.Env(vars, Env).Select(e => e.Message).ToList();

        Assert.Equal(
            [
                "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                "spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
                "spec.containers[0].env[2].valueFrom.configMapKeyRef.name: Invalid value: \"Cfg\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "spec.containers[0].env[2].valueFrom.configMapKeyRef.key: Required value",
            ],
            errors);
    }

    [Theory]
    [InlineData("MY_VAR", true)]
    [InlineData("my.var-1", true)]
    [InlineData("1st", true)]
    [InlineData("A=B", false)]
    [InlineData("tab\there", false)]
    public void Names_AreRelaxedAsIn132(string name, bool valid) =>
        Assert.Equal(valid, !EnvValidation.Env([new V1EnvVar { Name = name, Value = "v" }], Env).Any());
}
