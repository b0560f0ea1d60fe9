// A network as plain data: the layers of a model in PyTorch registration order, with the names its reference code
// gives them. Pure (no tfjs): the catalog, the memory estimate and the coordinator read the same plan that
// models/plan-builder.ts turns into modules, so the maskable layers the catalog lists and the ones the builder creates
// cannot drift apart.
//
// Conventions (PyTorch):
//   conv      NCHW semantics on NHWC tensors; padding is symmetric and explicit (torch.nn.Conv2d(padding=p)), so a
//             stride-2 conv samples the same positions as in PyTorch; weight [out, in, k, k], or [C, 1, k, k] for a
//             depthwise conv (groups = channels, channel multiplier 1);
//   bn        BatchNorm over the channel axis (2-D or 4-D input), momentum 0.1, eps 1e-5;
//   maxpool   torch.nn.MaxPool2d(kernel, stride, padding), padding counts as −∞;
//   gap       global average pooling to [N, C] (torch.nn.AdaptiveAvgPool2d(1) + flatten);
//   residual  pre-activation `pre` (optional), then `body` and `shortcut` (identity or layers, applied to the block
//             input or to the pre-activated input), added, then `post`.

export interface ConvNode {
  readonly op: 'conv';
  readonly name: string;
  readonly in: number;
  readonly out: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  /** groups = in = out: one k×k filter per channel. Depthwise convs are never masked (see blocks.ts). */
  readonly depthwise: boolean;
  readonly bias: boolean;
}

export interface BatchNormNode {
  readonly op: 'bn';
  readonly name: string;
  readonly channels: number;
}

export interface LinearNode {
  readonly op: 'linear';
  readonly name: string;
  readonly in: number;
  readonly out: number;
  readonly bias: boolean;
}

export interface ActivationNode {
  readonly op: 'relu' | 'relu6';
}

export interface MaxPoolNode {
  readonly op: 'maxpool';
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export interface GlobalAvgPoolNode {
  readonly op: 'gap';
}

export interface ResidualNode {
  readonly op: 'residual';
  /** Applied to the block input first (pre-activation blocks); empty for post-activation blocks. */
  readonly pre: readonly PlanNode[];
  readonly body: readonly PlanNode[];
  readonly shortcut: readonly PlanNode[] | 'identity';
  /** The shortcut reads the pre-activated input (WRN blocks that change width) rather than the block input. */
  readonly shortcutFromPre: boolean;
  /** Applied to the sum (e.g. the ReLU of a post-activation block). */
  readonly post: readonly PlanNode[];
}

export type PlanNode = ConvNode | BatchNormNode | LinearNode | ActivationNode | MaxPoolNode | GlobalAvgPoolNode | ResidualNode;

/** Depth-first, in registration order (residual: pre, body, shortcut, post). */
export function* walkNodes(nodes: readonly PlanNode[]): Generator<PlanNode> {
  for (const node of nodes) {
    if (node.op === 'residual') {
      yield* walkNodes(node.pre);
      yield* walkNodes(node.body);
      if (node.shortcut !== 'identity') yield* walkNodes(node.shortcut);
      yield* walkNodes(node.post);
    } else {
      yield node;
    }
  }
}

/** Whether a layer of the plan is one of the model's maskable layers (every conv but depthwise ones, every linear). */
export function isMaskable(node: ConvNode | LinearNode): boolean {
  return node.op === 'linear' || !node.depthwise;
}
