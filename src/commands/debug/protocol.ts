/**
 * DEBUG PROTOCOL <type>: one sample reply of each RESP type, for client
 * library tests. The encoder turns each into its RESP2 form where RESP2 lacks
 * the type, as Redis's addReply* helpers do.
 */
import type { Ctx } from "../../engine/context.ts";
import { fail } from "../../engine/errors.ts";
import { asciiLower } from "../../engine/table.ts";
import { Attribute, BigNumber, Bool, Double, MapReply, Push, type Reply, SetReply, Verbatim } from "../../resp/reply.ts";

const WRONG_TYPE =
  "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

export function debugProtocol(ctx: Ctx, name: string): Reply {
  switch (asciiLower(name)) {
    case "string":
      return "Hello World";
    case "integer":
      return 12345;
    case "double":
      // Redis's sample value, not pi.
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: the exact value Redis sends
      return new Double(3.141);
    case "bignum":
      return new BigNumber("1234567999999999999999999999999999999");
    case "null":
      return null;
    case "array":
      return [0, 1, 2];
    case "set":
      return new SetReply([0, 1, 2]);
    case "map":
      return new MapReply([0, new Bool(false), 1, new Bool(true), 2, new Bool(false)]);
    case "attrib":
      // Attributes are not replies of their own: a real reply follows (the only one RESP2 sees).
      return new Attribute(["key-popularity", ["key:123", 90]], "Some real reply following the attribute");
    case "push":
      if (ctx.client.protocol < 3) fail("ERR RESP2 is not supported by this command");
      // A push is not the command's reply: a normal reply follows, so a client that skips pushes still gets one.
      ctx.client.send([new Push(["server-cpu-usage", 42])]);
      return "Some real reply following the push reply";
    case "true":
      return new Bool(true);
    case "false":
      return new Bool(false);
    case "verbatim":
      return new Verbatim("txt", "This is a verbatim\nstring");
    default:
      fail(WRONG_TYPE);
  }
}
