"""The message classes of the Functions host <-> language worker protocol, as real protobuf classes.

Azure's proxy worker hands `azure_functions_runtime` a module of classes generated from the host's `FunctionRpc.proto`
(`properties={"protos": ...}` on WorkerInitRequest); the library builds every reply from that module. This module is
our own schema for the part of that protocol the library and the local host use, built at import time into a
private descriptor pool: same package, message, field and enum names and the same field numbers as the host's
protocol (so the bytes are those of the wire), no generated code and no protoc (docs/adr/0012).

    from devhost.worker import protos
    protos.TypedData(json='{"a": 1}').WhichOneof("data")     # 'json'
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from devhost.worker.proto_schema import ENUMS, MESSAGES

PACKAGE = "AzureFunctionsRpcMessages"
_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _F.TYPE_STRING,
    "bytes": _F.TYPE_BYTES,
    "bool": _F.TYPE_BOOL,
    "int32": _F.TYPE_INT32,
    "int64": _F.TYPE_INT64,
    "sint64": _F.TYPE_SINT64,
    "double": _F.TYPE_DOUBLE,
}
_WELL_KNOWN = {"Duration": ".google.protobuf.Duration", "Timestamp": ".google.protobuf.Timestamp"}


def _type_name(name: str) -> str:
    return _WELL_KNOWN.get(name) or f".{PACKAGE}.{name}"


def _set_type(field: descriptor_pb2.FieldDescriptorProto, kind: str) -> None:
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    else:
        field.type = _F.TYPE_ENUM if kind in ENUMS else _F.TYPE_MESSAGE
        field.type_name = _type_name(kind)


def _add_field(message: descriptor_pb2.DescriptorProto, spec: tuple[Any, ...], oneofs: dict[str, int]) -> None:
    name, number, kind = spec[:3]
    field = message.field.add(name=name, number=number, label=_F.LABEL_OPTIONAL, json_name=name)
    if kind.startswith("map<"):
        key, value = kind[4:-1].split(",")
        entry = message.nested_type.add(name="".join(p.title() for p in name.split("_")) + "Entry")
        entry.options.map_entry = True
        _set_type(entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL), key)
        _set_type(entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL), value)
        field.label, field.type = _F.LABEL_REPEATED, _F.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{message.name}.{entry.name}"
        return
    if kind.startswith("repeated "):
        field.label, kind = _F.LABEL_REPEATED, kind.removeprefix("repeated ")
    _set_type(field, kind)
    if len(spec) > 3:
        if spec[3] not in oneofs:
            oneofs[spec[3]] = len(message.oneof_decl)
            message.oneof_decl.add(name=spec[3])
        field.oneof_index = oneofs[spec[3]]


def _file() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(
        name="devhost/FunctionRpc.proto",
        package=PACKAGE,
        syntax="proto3",
        dependency=["google/protobuf/duration.proto", "google/protobuf/timestamp.proto"],
    )
    messages: dict[str, descriptor_pb2.DescriptorProto] = {}
    for name, fields in MESSAGES.items():
        message = messages[name] = fdp.message_type.add(name=name)
        oneofs: dict[str, int] = {}
        for spec in fields:
            _add_field(message, spec, oneofs)
    for full, values in ENUMS.items():
        owner, _, enum_name = full.rpartition(".")
        enum = (messages[owner].enum_type if owner else fdp.enum_type).add(name=enum_name)
        for value_name, number in values:
            enum.value.add(name=value_name, number=number)
    return fdp


def _build() -> dict[str, Any]:
    from google.protobuf import duration_pb2, timestamp_pb2

    pool = descriptor_pool.DescriptorPool()
    for well_known in (duration_pb2, timestamp_pb2):
        pool.AddSerializedFile(well_known.DESCRIPTOR.serialized_pb)
    pool.Add(_file())
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}")) for name in MESSAGES}


_CLASSES = _build()
StreamingMessage: Any = _CLASSES["StreamingMessage"]
StartStream: Any = _CLASSES["StartStream"]
WorkerInitRequest: Any = _CLASSES["WorkerInitRequest"]
WorkerInitResponse: Any = _CLASSES["WorkerInitResponse"]
WorkerMetadata: Any = _CLASSES["WorkerMetadata"]
StatusResult: Any = _CLASSES["StatusResult"]
WorkerStatusRequest: Any = _CLASSES["WorkerStatusRequest"]
WorkerStatusResponse: Any = _CLASSES["WorkerStatusResponse"]
FunctionEnvironmentReloadRequest: Any = _CLASSES["FunctionEnvironmentReloadRequest"]
FunctionEnvironmentReloadResponse: Any = _CLASSES["FunctionEnvironmentReloadResponse"]
FunctionsMetadataRequest: Any = _CLASSES["FunctionsMetadataRequest"]
FunctionMetadataResponse: Any = _CLASSES["FunctionMetadataResponse"]
FunctionLoadRequest: Any = _CLASSES["FunctionLoadRequest"]
FunctionLoadResponse: Any = _CLASSES["FunctionLoadResponse"]
RpcFunctionMetadata: Any = _CLASSES["RpcFunctionMetadata"]
InvocationRequest: Any = _CLASSES["InvocationRequest"]
RpcTraceContext: Any = _CLASSES["RpcTraceContext"]
RetryContext: Any = _CLASSES["RetryContext"]
InvocationResponse: Any = _CLASSES["InvocationResponse"]
TypedData: Any = _CLASSES["TypedData"]
CollectionString: Any = _CLASSES["CollectionString"]
CollectionBytes: Any = _CLASSES["CollectionBytes"]
CollectionDouble: Any = _CLASSES["CollectionDouble"]
CollectionSInt64: Any = _CLASSES["CollectionSInt64"]
RpcSharedMemory: Any = _CLASSES["RpcSharedMemory"]
ParameterBinding: Any = _CLASSES["ParameterBinding"]
BindingInfo: Any = _CLASSES["BindingInfo"]
RpcLog: Any = _CLASSES["RpcLog"]
RpcException: Any = _CLASSES["RpcException"]
RpcHttpCookie: Any = _CLASSES["RpcHttpCookie"]
RpcHttp: Any = _CLASSES["RpcHttp"]
RpcRetryOptions: Any = _CLASSES["RpcRetryOptions"]
NullableString: Any = _CLASSES["NullableString"]
NullableDouble: Any = _CLASSES["NullableDouble"]
NullableBool: Any = _CLASSES["NullableBool"]
NullableTimestamp: Any = _CLASSES["NullableTimestamp"]
