using Cetus.ApiServer.Protobuf;
using Cetus.ApiServer.Protobuf.Kube.AppsV1;
using Cetus.ApiServer.Protobuf.Kube.CoreV1;
using Cetus.ApiServer.Protobuf.Kube.Intstr;
using Cetus.ApiServer.Protobuf.Kube.MetaV1;
using Google.Protobuf;
using Xunit;

namespace Cetus.ApiServer.Tests.Protobuf;

public sealed class KubeProtobufErrorTests
{
    [Theory]
    [InlineData(new byte[0], "empty data")]
    [InlineData(new byte[] { (byte)'{', (byte)'}' }, "does not appear to be a protobuf message")]
    [InlineData(new byte[] { (byte)'k', (byte)'8', (byte)'s', 0 }, "empty body")]
    [InlineData(new byte[] { (byte)'k', (byte)'8', (byte)'s', 0, 0x0a, 0x20, 0x0a }, "malformed protobuf envelope")]
    public void BadEnvelope_Throws(byte[] body, string message)
    {
        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(body));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1", "Frobnicator")]
    [InlineData("apps/v2", "Deployment")]
    public void UnknownKind_Throws(string apiVersion, string kind)
    {
        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(ProtobufBody.Of(apiVersion, kind, ByteString.Empty)));

        Assert.Equal($"no kind \"{kind}\" is registered for version \"{apiVersion}\" in protobuf", e.Message);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(apiVersion, e.ApiVersion);
    }

    [Fact]
    public void MissingKind_WithoutADefault_Throws()
    {
        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(ProtobufBody.Of("v1", string.Empty, ByteString.Empty)));

        Assert.Contains("Object 'Kind' is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedMessage_Throws()
    {
        var raw = new Deployment { Metadata = new ObjectMeta { Name = "web", Labels = { { "app", "web" } } } }.ToByteArray();

        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(ProtobufBody.Of("apps/v1", "Deployment", ByteString.CopyFrom(raw, 0, raw.Length - 3))));

        Assert.StartsWith("Deployment in version \"apps/v1\" cannot be decoded from protobuf:", e.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidProtocolBufferException>(e.InnerException);
    }

    [Fact]
    public void ImpossibleIntOrStringType_Throws()
    {
        var service = new Service { Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80, TargetPort = new IntOrString { Type = 7 } } } } };

        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(ProtobufBody.Of("v1", "Service", service)));

        Assert.Contains("impossible IntOrString.Type 7", e.Message, StringComparison.Ordinal);
        Assert.Equal("Service", e.Kind);
    }

    [Fact]
    public void ManagedFieldsThatAreNotJson_Throw()
    {
        var configMap = new ConfigMap { Metadata = new ObjectMeta { ManagedFields = { new ManagedFieldsEntry { FieldsV1 = new FieldsV1 { Raw = ByteString.CopyFromUtf8("{not json") } } } } };

        var e = Assert.Throws<ProtobufDecodeException>(() => KubeProtobuf.ToJson(ProtobufBody.Of("v1", "ConfigMap", configMap)));

        Assert.Contains("embedded raw object is not JSON", e.Message, StringComparison.Ordinal);
    }
}
