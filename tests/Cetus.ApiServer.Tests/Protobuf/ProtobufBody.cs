using Cetus.ApiServer.Protobuf;
using Cetus.ApiServer.Protobuf.Kube.Runtime;
using Google.Protobuf;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>Builds Kubernetes protobuf bodies: the <c>k8s\0</c> prefix and a runtime.Unknown around a message.</summary>
internal static class ProtobufBody
{
    public static byte[] Of(string apiVersion, string kind, IMessage message) => Of(apiVersion, kind, message.ToByteString());

    public static byte[] Of(string apiVersion, string kind, ByteString raw)
    {
        var unknown = new Unknown { TypeMeta = new TypeMeta { ApiVersion = apiVersion, Kind = kind }, Raw = raw };
        return [.. KubeEnvelope.Magic, .. unknown.ToByteArray()];
    }

    public static byte[] Asset(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Protobuf", "testassets", name));
}
