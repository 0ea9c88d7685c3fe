"""Sanity check of the paper-scale supernet: one fixed path trained alone for 50 steps (batch 256). Usage: python fixed_path_check.py DATA_DIR"""
import time

import numpy as np
import torch

from builders.engine.dist import Dist
from builders.engine.tasks import get_task
from wsbench.spaces import get_space

torch.set_num_threads(1)
sp=get_space("nb201")
arch=sp.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
task=get_task("nb201","paper",{"batch_size":256,"score_size":1000,"bn_batches":4,"train_size":12800})
task.load_data(__import__("sys").argv[1])
torch.manual_seed(0)
net=task.new_model(); opt,sched=task.new_optimizer(net,1)
class S:  # a sampler that always draws the same architecture
    pass
orig=sp.draw
sp.__class__.draw=lambda self,rng: arch
t=time.time()
note=task.train_epoch(net,np.random.default_rng(1),np.random.default_rng(2),opt,sched,Dist.from_env(),lambda n=1:None)
print("fixed path, 1 epoch of 12.8k at batch 256, cosine to 0:",note, "%.0fs"%(time.time()-t))
acc,loss=task.score(net,[arch],0,1,lambda n=1:None)
print("held-out accuracy",acc,"loss",loss)
