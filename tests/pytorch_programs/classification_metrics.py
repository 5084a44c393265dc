# ruff: noqa: E501
# Evaluation code of classification scripts: a confusion matrix with bincount, per-class
# precision/recall/F1, top-k accuracy with topk and eq/expand_as, argsort ranks, one_hot,
# masked_fill and where, unique with counts, bucketize, histc, and sorting predictions.
import torch
import torch.nn.functional as F

num_classes = 4
logits = torch.cos(torch.arange(40.) * 1.7).reshape(10, 4) * 3
target = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 1])
pred = logits.argmax(dim=1)
print(pred, (pred == target).float().mean().item())
cm = torch.bincount(target * num_classes + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)
print(cm)
tp = cm.diag().float()
precision = tp / cm.sum(0).clamp(min=1)
recall = tp / cm.sum(1).clamp(min=1)
f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall), torch.zeros_like(tp))
print(precision, recall, f1, f1.mean().item())


def accuracy(output, target, topk=(1,)):
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


print(accuracy(logits, target, topk=(1, 2, 3)))
ranks = logits.argsort(dim=1, descending=True).argsort(dim=1)
print(ranks.gather(1, target.unsqueeze(1)).squeeze(1), (1.0 / (ranks.gather(1, target[:, None]) + 1).float()).mean().item())
onehot = F.one_hot(target, num_classes).float()
print(onehot.sum(0), F.one_hot(torch.tensor([[0, 2], [1, 1]])).shape)
probs = logits.softmax(1)
confident = probs.max(1).values > 0.5
print(confident, logits.masked_fill(~confident.unsqueeze(1), float("-inf")).max(1).values)
print((probs * onehot).sum(1).log().neg().mean().item(), F.nll_loss(probs.log(), target).item())
values, counts = torch.unique(pred, return_counts=True)
print(values, counts, torch.unique(target, sorted=True, return_inverse=True)[1])
scores = probs[:, 1]
order = scores.argsort(descending=True)
print(order, torch.cumsum(target[order] == 1, 0).float() / torch.arange(1, 11))
edges = torch.tensor([0.1, 0.25, 0.5])
print(torch.bucketize(scores, edges), torch.histc(scores, bins=4, min=0, max=1))
sorted_scores, idx = torch.sort(scores)
print(sorted_scores, idx, torch.searchsorted(sorted_scores, torch.tensor([0.2, 0.6])))
print(torch.nonzero(pred == target).squeeze(1), (pred != target).nonzero(as_tuple=True)[0])
print(torch.count_nonzero(cm, dim=0), cm.float().div(cm.sum(1, keepdim=True).clamp(min=1)).round(decimals=3))
