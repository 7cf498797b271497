using Cetus.ApiServer.Protobuf.Kube.MetaV1;
using Cetus.ApiServer.Protobuf.Kube.Resource;
using Cetus.ApiServer.Protobuf.Kube.Runtime;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>
/// Encodes a message with every field present and zero: each scalar written as 0/""/false, each message filled the
/// same way, each list and map with one zero element. Go decodes that into non-nil pointers, slices and maps holding
/// zero values, which is the case that tells pointers from values and omitempty from its absence.
/// </summary>
internal static class ZeroFilledMessage
{
    private const int MaxDepth = 24;

    public static ByteString Encode(MessageDescriptor type) => Encode(type, 0);

    private static ByteString Encode(MessageDescriptor type, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException($"{type.FullName}: the schema nests deeper than {MaxDepth}");
        }

        // Values that Go's decoder would refuse when zero, or that Go writes as nothing at all.
        switch (type.FullName)
        {
            case var name when name == Time.Descriptor.FullName || name == MicroTime.Descriptor.FullName:
                return ByteString.Empty; // a zero time.Time is written as an empty message
            case var name when name == Quantity.Descriptor.FullName:
                return new Quantity { String = "0" }.ToByteString();
            case var name when name == FieldsV1.Descriptor.FullName:
                return new FieldsV1 { Raw = ByteString.CopyFromUtf8("{}") }.ToByteString();
            case var name when name == RawExtension.Descriptor.FullName:
                return new RawExtension { Raw = ByteString.CopyFromUtf8("{}") }.ToByteString();
        }

        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.Message)
            {
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(Encode(field.MessageType, depth + 1));
                continue;
            }

            switch (field.FieldType)
            {
                case FieldType.String or FieldType.Bytes:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.Empty);
                    break;
                case FieldType.Bool or FieldType.Int32 or FieldType.Int64:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteInt64(0);
                    break;
                default:
                    throw new InvalidOperationException($"{field.FullName}: no zero for {field.FieldType}");
            }
        }

        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }
}
