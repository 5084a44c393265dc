# ruff: noqa: E501
# PyTorch's "Neural Transfer Using PyTorch" tutorial in its manner, on a small random-free CNN
# instead of VGG19: ContentLoss and StyleLoss modules with detached targets, gram_matrix by
# view and mm, a Normalization module with mean/std reshaped by view(-1, 1, 1), a new
# nn.Sequential built by walking cnn.children() with isinstance checks and add_module, the model
# trimmed after the last loss layer, the input image optimized by LBFGS with a closure that
# clamps it in place under no_grad, and the features frozen with requires_grad_(False).
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.set_default_device(device)
imsize = 16


class ContentLoss(nn.Module):
    def __init__(self, target):
        super().__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


def gram_matrix(input):
    a, b, c, d = input.size()
    features = input.view(a * b, c * d)
    G = torch.mm(features, features.t())
    return G.div(a * b * c * d)


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super().__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        G = gram_matrix(input)
        self.loss = F.mse_loss(G, self.target)
        return input


class Normalization(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def forward(self, img):
        return (img - self.mean) / self.std


cnn = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(2, 2),
    nn.Conv2d(8, 12, 3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(12, 12, 3, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(2, 2),
    nn.Conv2d(12, 12, 3, padding=1), nn.ReLU(inplace=True),
).to(device).eval()
with torch.no_grad():
    for i, p in enumerate(cnn.parameters()):
        k = torch.arange(p.numel(), dtype=torch.float32)
        fan_in = p[0].numel() if p.dim() > 1 else 1
        p.copy_((torch.sin(k * 0.41 + i) * math.sqrt(2.0 / fan_in) * (1 if p.dim() > 1 else 0.1)).reshape(p.shape))
cnn.requires_grad_(False)
cnn_normalization_mean = [0.485, 0.456, 0.406]
cnn_normalization_std = [0.229, 0.224, 0.225]

content_layers_default = ["conv_4"]
style_layers_default = ["conv_1", "conv_2", "conv_3", "conv_4", "conv_5"]


def get_style_model_and_losses(cnn, normalization_mean, normalization_std, style_img, content_img,
                               content_layers=content_layers_default, style_layers=style_layers_default):
    normalization = Normalization(normalization_mean, normalization_std)
    content_losses, style_losses = [], []
    model = nn.Sequential(normalization)
    i = 0
    for layer in cnn.children():
        if isinstance(layer, nn.Conv2d):
            i += 1
            name = f"conv_{i}"
        elif isinstance(layer, nn.ReLU):
            name = f"relu_{i}"
            layer = nn.ReLU(inplace=False)
        elif isinstance(layer, nn.MaxPool2d):
            name = f"pool_{i}"
        elif isinstance(layer, nn.BatchNorm2d):
            name = f"bn_{i}"
        else:
            raise RuntimeError(f"Unrecognized layer: {layer.__class__.__name__}")
        model.add_module(name, layer)
        if name in content_layers:
            target = model(content_img).detach()
            content_loss = ContentLoss(target)
            model.add_module(f"content_loss_{i}", content_loss)
            content_losses.append(content_loss)
        if name in style_layers:
            target_feature = model(style_img).detach()
            style_loss = StyleLoss(target_feature)
            model.add_module(f"style_loss_{i}", style_loss)
            style_losses.append(style_loss)
    for i in range(len(model) - 1, -1, -1):
        if isinstance(model[i], ContentLoss) or isinstance(model[i], StyleLoss):
            break
    model = model[:(i + 1)]
    return model, style_losses, content_losses


def image(phase):
    y, x = torch.meshgrid(torch.linspace(0, 1, imsize), torch.linspace(0, 1, imsize), indexing="ij")
    channels = [0.5 + 0.5 * torch.sin(phase * (k + 1) * (x + 2 * y) * 6) for k in range(3)]
    return torch.stack(channels).unsqueeze(0).to(device, torch.float)


style_img, content_img = image(1.0), image(0.3)
assert style_img.size() == content_img.size(), "we need to import style and content images of the same size"
input_img = content_img.clone()


def get_input_optimizer(input_img):
    return optim.LBFGS([input_img])


def run_style_transfer(cnn, normalization_mean, normalization_std, content_img, style_img, input_img,
                       num_steps=10, style_weight=10000, content_weight=1):
    print("Building the style transfer model..")
    model, style_losses, content_losses = get_style_model_and_losses(cnn, normalization_mean, normalization_std, style_img, content_img)
    input_img.requires_grad_(True)
    model.eval()
    model.requires_grad_(False)
    print("layers:", [name for name, _ in model.named_children()])
    optimizer = get_input_optimizer(input_img)
    print("Optimizing..")
    run = [0]
    while run[0] <= num_steps:
        def closure():
            with torch.no_grad():
                input_img.clamp_(0, 1)
            optimizer.zero_grad()
            model(input_img)
            style_score = 0
            content_score = 0
            for sl in style_losses:
                style_score += sl.loss
            for cl in content_losses:
                content_score += cl.loss
            style_score *= style_weight
            content_score *= content_weight
            loss = style_score + content_score
            loss.backward()
            run[0] += 1
            if run[0] % 10 == 0:
                print(f"run {run}:")
                print(f"Style Loss : {style_score.item():4f} Content Loss: {content_score.item():4f}")
            return style_score + content_score
        optimizer.step(closure)
    with torch.no_grad():
        input_img.clamp_(0, 1)
    return input_img


with torch.no_grad():
    print("gram of style image", [round(v, 5) for v in gram_matrix(style_img)[0].tolist()])
output = run_style_transfer(cnn, cnn_normalization_mean, cnn_normalization_std, content_img, style_img, input_img)
print("output", tuple(output.shape), output.requires_grad, round(output.mean().item(), 5), round(output.min().item(), 5), round(output.max().item(), 5))
print("moved from the content image by", round((output - content_img).abs().mean().item(), 5))
print("cnn frozen:", all(not p.requires_grad for p in cnn.parameters()), "grads:", all(p.grad is None for p in cnn.parameters()))
