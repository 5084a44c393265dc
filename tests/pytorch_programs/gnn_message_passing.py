# ruff: noqa: E501
# Graph neural networks written without PyG, as blog posts and course notebooks do: an
# edge_index of shape (2, E), self loops added with torch.cat, degrees by scatter_add_ /
# bincount, symmetric normalisation deg^-1/2 with inf masked to 0, messages aggregated with
# index_add_ (GCN) and a GAT layer whose softmax over each node's incoming edges uses
# scatter_reduce("amax") and index_add_; a dense adjacency check with index_put_, node
# classification on train/val masks with Adam, and a mean-pooled graph readout.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# two triangles joined by a bridge, plus a tail: 8 nodes
edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6), (6, 7)]
edge_index = torch.tensor(edges, dtype=torch.long).t().contiguous()
edge_index = torch.cat([edge_index, edge_index.flip(0)], dim=1)  # undirected
num_nodes = int(edge_index.max()) + 1
print("edge_index", edge_index.shape, "nodes", num_nodes)
x = torch.stack([torch.sin(torch.arange(num_nodes) * 0.9 + k) for k in range(5)], dim=1)
y = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2])
train_mask = torch.zeros(num_nodes, dtype=torch.bool)
train_mask[[0, 3, 6, 1, 4]] = True
val_mask = ~train_mask


def add_self_loops(edge_index, num_nodes):
    loop = torch.arange(num_nodes, device=edge_index.device).unsqueeze(0).repeat(2, 1)
    return torch.cat([edge_index, loop], dim=1)


def gcn_norm(edge_index, num_nodes):
    row, col = edge_index
    deg = torch.zeros(num_nodes).scatter_add_(0, col, torch.ones(col.size(0)))
    deg_inv_sqrt = deg.pow(-0.5)
    deg_inv_sqrt.masked_fill_(deg_inv_sqrt == float("inf"), 0)
    return deg_inv_sqrt[row] * deg_inv_sqrt[col]


class GCNConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, edge_index):
        edge_index = add_self_loops(edge_index, x.size(0))
        norm = gcn_norm(edge_index, x.size(0))
        x = self.lin(x)
        row, col = edge_index
        messages = norm.view(-1, 1) * x[row]
        out = torch.zeros_like(x).index_add_(0, col, messages)
        return out + self.bias


class GATConv(nn.Module):
    def __init__(self, in_channels, out_channels, heads=2):
        super().__init__()
        self.heads, self.out_channels = heads, out_channels
        self.lin = nn.Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = nn.Parameter(torch.empty(1, heads, out_channels))
        self.att_dst = nn.Parameter(torch.empty(1, heads, out_channels))
        nn.init.xavier_uniform_(self.att_src)
        nn.init.xavier_uniform_(self.att_dst)

    def forward(self, x, edge_index):
        H, C = self.heads, self.out_channels
        edge_index = add_self_loops(edge_index, x.size(0))
        src, dst = edge_index
        h = self.lin(x).view(-1, H, C)
        alpha = (h * self.att_src).sum(-1)[src] + (h * self.att_dst).sum(-1)[dst]   # (E, H)
        alpha = F.leaky_relu(alpha, 0.2)
        amax = torch.full((x.size(0), H), -math.inf).scatter_reduce(0, dst.unsqueeze(1).expand(-1, H), alpha, reduce="amax", include_self=True)
        alpha = (alpha - amax[dst]).exp()
        denom = torch.zeros(x.size(0), H).index_add_(0, dst, alpha)
        alpha = alpha / denom[dst]
        out = torch.zeros(x.size(0), H, C).index_add_(0, dst, alpha.unsqueeze(-1) * h[src])
        return out.mean(dim=1), alpha


class GCN(nn.Module):
    def __init__(self, in_channels, hidden, classes):
        super().__init__()
        self.conv1 = GCNConv(in_channels, hidden)
        self.conv2 = GCNConv(hidden, classes)

    def forward(self, x, edge_index):
        x = F.relu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.5, training=False)
        return self.conv2(x, edge_index)


def set_weights(model, scale):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.cos(k * scale + i) / math.sqrt(p.shape[-1])).reshape(p.shape))


# the normalisation equals D^-1/2 (A + I) D^-1/2 built densely
loops = add_self_loops(edge_index, num_nodes)
A = torch.zeros(num_nodes, num_nodes)
A.index_put_((loops[0], loops[1]), torch.ones(loops.size(1)), accumulate=True)
deg = A.sum(1)
print("degrees", deg.tolist(), torch.bincount(loops[1], minlength=num_nodes).tolist())
D = torch.diag(deg.pow(-0.5))
A_hat = D @ A @ D
dense = torch.zeros(num_nodes, num_nodes).index_put_((loops[0], loops[1]), gcn_norm(loops, num_nodes))
print("edge weights == dense normalisation:", torch.allclose(dense, A_hat))

model = GCN(5, 8, 3)
set_weights(model, 0.7)
conv = model.conv1
print("GCNConv == dense formula:", torch.allclose(conv(x, edge_index), A_hat @ conv.lin(x) + conv.bias, atol=1e-6))
optimizer = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=5e-4)
for epoch in range(60):
    model.train()
    optimizer.zero_grad()
    out = model(x, edge_index)
    loss = F.cross_entropy(out[train_mask], y[train_mask])
    loss.backward()
    optimizer.step()
    if epoch % 20 == 19:
        model.eval()
        with torch.no_grad():
            pred = model(x, edge_index).argmax(dim=1)
            val_acc = (pred[val_mask] == y[val_mask]).sum().item() / int(val_mask.sum())
        print(f"epoch {epoch + 1:3d} loss {loss.item():.4f} val acc {val_acc:.3f}")
print("predictions", pred.tolist())

gat = GATConv(5, 4, heads=2)
set_weights(gat, 0.3)
out, alpha = gat(x, edge_index)
print("GAT out", out.shape, [round(v, 4) for v in out[0].tolist()])
print("attention sums to 1 per node:", torch.allclose(torch.zeros(num_nodes, 2).index_add_(0, loops[1], alpha), torch.ones(num_nodes, 2)))
out.pow(2).sum().backward()
print("att_src grad", [round(v, 5) for v in gat.att_src.grad.flatten().tolist()])

# graph-level readout over a batch of two graphs
batch = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1])
h = model.conv1(x, edge_index)
sums = torch.zeros(2, h.size(1)).index_add_(0, batch, h)
mean_pool = sums / torch.bincount(batch).unsqueeze(1).float()
max_pool = torch.full((2, h.size(1)), -math.inf).scatter_reduce(0, batch.unsqueeze(1).expand_as(h), h, reduce="amax")
print("mean pool", [round(v, 4) for v in mean_pool[1].tolist()])
print("max pool", [round(v, 4) for v in max_pool[0].tolist()])
